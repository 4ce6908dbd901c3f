// E2E harness: `nasw serve` spawned directly (own process group, killed as a group) and Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { ensureRenderer } from '../../src/main/server/renderer-build';
import { seedHome, type SeededHome, type SeedOptions } from '../fixtures/app/seed-home';

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

/**
 * Build the UI once before any server starts: e2e files may run in parallel, and two `nasw serve` building
 * out/ at the same time would trip over each other. A lock folder serialises the builds across processes.
 */
export async function ensureUiBuilt(timeoutMs = 240_000): Promise<void> {
  const lock = path.join(ROOT, 'out', '.e2e-build-lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Another file is building; a lock older than the timeout is a crashed run's.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > timeoutMs) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > timeoutMs) throw new Error(`waited ${timeoutMs} ms for ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    // The renderer build checks its own sources; the main process and the job worker are checked here.
    await ensureRenderer({ root: ROOT, rebuild: mainStale() });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Whether out/main is missing or older than a source of the main process, the worker or the preload. */
export function mainStale(): boolean {
  const built = path.join(ROOT, 'out', 'main', 'index.js');
  if (!fs.existsSync(built) || !fs.existsSync(path.join(ROOT, 'out', 'preload', 'index.cjs'))) return true;
  const at = fs.statSync(built).mtimeMs;
  const newer = (dir: string): boolean =>
    fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return newer(full);
      return /\.(ts|js|json)$/.test(e.name) && !e.name.endsWith('.test.ts') && fs.statSync(full).mtimeMs > at;
    });
  return ['src/main', 'src/preload', 'src/shared'].some((d) => fs.existsSync(path.join(ROOT, d)) && newer(path.join(ROOT, d)));
}

export interface Workbench {
  home: string;
  seeded: SeededHome;
  served: Served;
  browser: Browser;
  page: Page;
  /** Page errors, console errors and 5xx answers seen so far: a file ends by expecting none. */
  problems: string[];
  /** The window, and the whole view uncut (it scrolls inside the window), as test-artifacts/e2e/<name>[-full].png. */
  shoot(name: string): Promise<void>;
  /** A screenshot named after a test that failed. */
  screenshotIfFailed(task: { name: string; result?: { state?: string } }): Promise<void>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  /** Temporary folder name prefix. */
  prefix: string;
  seed?: SeedOptions;
  context?: BrowserContextOptions;
  /** Console errors that are answers, not faults (e.g. a refused 4xx preview). */
  ignoreConsole?: RegExp;
}

/** One e2e file's workbench: a seeded data folder served by `nasw serve` and a Chromium page collecting problems. */
export async function openWorkbench(o: WorkbenchOptions): Promise<Workbench> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), o.prefix));
  const seeded = await seedHome(home, o.seed);
  await ensureUiBuilt();
  const served = await startServe(home);
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, ...o.context });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Chromium asks for /favicon.ico on its own; anything else logged as an error is a problem.
    if (m.type() === 'error' && !/favicon/.test(m.location().url) && !o.ignoreConsole?.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  // Which call failed, when one does: the console only says the status.
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`HTTP ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname} ${r.request().postData() ?? ''}`);
  });
  return {
    home,
    seeded,
    served,
    browser,
    page,
    problems,
    async shoot(name) {
      await page.screenshot({ path: artifact(`${name}.png`) });
      await page.locator('main').screenshot({ path: artifact(`${name}-full.png`), style: '.frame-status { visibility: hidden; }' });
    },
    async screenshotIfFailed(task) {
      if (task.result?.state !== 'fail') return;
      await page.screenshot({ path: artifact(`failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`) }).catch(() => {});
    },
    async close() {
      await browser.close();
      await served.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
