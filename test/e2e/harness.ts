// E2E harness: `nasw serve` spawned directly (own process group, killed as a group) and Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
export const CHROMIUM = process.env.NASW_CHROMIUM ?? '/usr/bin/chromium';

export interface Served {
  url: string;
  origin: string;
  token: string;
  child: ChildProcess;
  /** Everything the server wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export async function startServe(home: string, extra: string[] = [], timeoutMs = 150_000): Promise<Served> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/nasw.js'), '--home', home, 'serve', '--port', '0', '--no-open', '--json', ...extra], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' },
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nasw serve printed no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    timer.unref();
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      buf += d.toString();
      for (const line of buf.split('\n').slice(0, -1)) {
        try {
          const msg = JSON.parse(line) as { event?: string; url?: string };
          if (msg.event === 'serving' && msg.url) {
            clearTimeout(timer);
            resolve(msg.url);
          }
        } catch {
          // not a JSON line
        }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nasw serve exited (${code}) before serving:\n${out}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    child,
    output: () => out,
    stop: () => stopGroup(child),
  };
}

/** SIGTERM the whole process group (server and job processes), SIGKILL after a grace period. */
export async function stopGroup(child: ChildProcess, graceMs = 8000): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, graceMs);
  timer.unref();
  await exited;
  clearTimeout(timer);
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (see TOOLCHAIN.md).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
