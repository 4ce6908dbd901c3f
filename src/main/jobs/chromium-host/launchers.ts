// The two ways to open the GPU job host's page: a headless Chromium through playwright-core, or the app's hidden window.
import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { GpuPageRequest, GpuPageReply } from '../worker-protocol';

/** A page of the host, open at its URL. */
export interface HostPage {
  /** Settles when the page is gone (closed, crashed, or its browser died), with the reason. */
  readonly gone: Promise<string>;
  close(): Promise<void>;
}

export interface PageLauncher {
  /** What opens the pages, for logs and the run's notes ("headless Chromium 150.0… at /usr/bin/chromium"). */
  readonly label: string;
  /** The browser's process id, where this process owns it. */
  readonly pid?: number;
  open(url: string, log: (line: string) => void): Promise<HostPage>;
  close(): Promise<void>;
}

/** Where a system Chromium or Chrome usually lives; NASW_CHROMIUM overrides. */
const CANDIDATES: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome', '/snap/bin/chromium'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  ],
};

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The Chromium to launch: `explicit`, else $NASW_CHROMIUM, else the first installed candidate (null if none). */
export function findChromium(explicit?: string): string | null {
  const wanted = explicit ?? process.env.NASW_CHROMIUM;
  if (wanted) return wanted;
  return (CANDIDATES[process.platform] ?? []).find((p) => fs.existsSync(p)) ?? null;
}

export interface ChromiumLaunchOptions {
  executablePath?: string;
  /**
   * `software`: whatever Chromium finds, SwiftShader included (tests). `gpu`: ask for the real GPU on
   * Linux (ANGLE on Vulkan, GPU blocklist ignored). Extra switches: `args` and $NASW_CHROMIUM_ARGS.
   */
  profile?: 'software' | 'gpu';
  args?: string[];
}

/** Chromium switches for the job host (TOOLCHAIN.md). WebGPU needs --enable-unsafe-webgpu on Linux; WebGL needs none. */
export function chromiumArgs(o: ChromiumLaunchOptions = {}): string[] {
  const args = [
    '--headless',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-renderer-backgrounding',
    '--disable-background-timer-throttling',
    '--enable-unsafe-webgpu',
  ];
  // Chromium refuses to start as root with its sandbox on (containers, CI).
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  if (o.profile === 'gpu') args.push('--use-angle=vulkan', '--enable-features=Vulkan', '--ignore-gpu-blocklist');
  const extra = process.env.NASW_CHROMIUM_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  return [...args, ...(o.args ?? []), ...extra];
}

/** A headless Chromium through playwright-core (its own process; killing it reads as a host crash). */
export async function launchHeadlessChromium(o: ChromiumLaunchOptions = {}): Promise<PageLauncher> {
  const executablePath = findChromium(o.executablePath);
  if (!executablePath || !fs.existsSync(executablePath)) {
    throw new Error(
      `no Chromium for the GPU job host${executablePath ? ` at ${executablePath}` : ''}: install one (Debian: apt-get install chromium) or point NASW_CHROMIUM at Chrome/Chromium`,
    );
  }
  const { chromium } = await import('playwright-core');
  const server = await chromium.launchServer({
    executablePath,
    args: chromiumArgs(o),
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const child: ChildProcess = server.process();
  let browser;
  try {
    browser = await chromium.connect(server.wsEndpoint());
  } catch (e) {
    await server.kill();
    throw e;
  }
  // Which of the signs of a dead browser comes first varies (socket, page, connection, process): each
  // waits a moment for the process's own exit status, the most telling reason.
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`Chromium ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`)));
  const preferExit = (fallback: string) => Promise.race([exited, new Promise<string>((r) => setTimeout(() => r(fallback), 1000).unref())]);
  const browserGone = new Promise<string>((resolve) => {
    browser.once('disconnected', () => void preferExit('the Chromium browser process ended').then(resolve));
    void exited.then(resolve);
  });
  const label = `headless Chromium ${browser.version()} at ${executablePath}`;
  return {
    label,
    pid: child.pid,
    async open(url, log) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning' || process.env.NASW_CHROMIUM_CONSOLE === 'all') log(`[chromium ${m.type()}] ${m.text()}`);
      });
      page.on('pageerror', (e) => log(`[chromium page error] ${e.message}`));
      const gone = new Promise<string>((resolve) => {
        page.once('crash', () => resolve('the host page crashed (renderer process gone)'));
        page.once('close', () => void preferExit('the host page was closed').then(resolve));
        void browserGone.then(resolve);
      });
      await page.goto(url, { waitUntil: 'load' });
      return {
        gone,
        close: async () => {
          await context.close().catch(() => undefined);
        },
      };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close().catch(() => undefined);
    },
  };
}

/** The app's side of parentWindowLauncher: opens a page in a hidden window; `onGone` when it crashes or closes. */
export interface GpuPageOpener {
  open(url: string, onGone: (reason: string) => void): Promise<{ close(): void }>;
}

/**
 * In the desktop app a job process cannot make windows: it asks the app (its parent, over the fork IPC
 * channel) to open the page in a hidden BrowserWindow, and hears back when that window is gone.
 */
export function parentWindowLauncher(): PageLauncher {
  if (!process.send) throw new Error('parentWindowLauncher: this process has no parent IPC channel');
  let next = 1;
  const waiters = new Map<number, { opened: (r: GpuPageReply) => void; gone: (why: string) => void }>();
  const onMessage = (m: GpuPageReply) => {
    if (!m || m.type !== 'gpu-page') return;
    const w = waiters.get(m.id);
    if (!w) return;
    if (m.op === 'gone') {
      w.gone(m.reason ?? 'the host window closed');
      waiters.delete(m.id);
    } else w.opened(m);
  };
  process.on('message', onMessage);
  const send = (m: GpuPageRequest) => process.send?.(m);
  return {
    label: 'hidden Electron window',
    async open(url) {
      const id = next++;
      let markGone!: (why: string) => void;
      const gone = new Promise<string>((resolve) => (markGone = resolve));
      const reply = await new Promise<GpuPageReply>((resolve) => {
        waiters.set(id, { opened: resolve, gone: markGone });
        send({ type: 'gpu-page', op: 'open', id, url });
      });
      if (reply.op === 'error') {
        waiters.delete(id);
        throw new Error(`the app could not open the GPU host window: ${reply.error ?? 'unknown error'}`);
      }
      return {
        gone,
        close: async () => {
          send({ type: 'gpu-page', op: 'close', id });
        },
      };
    },
    async close() {
      process.off('message', onMessage);
    },
  };
}
