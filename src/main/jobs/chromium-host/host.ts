// The Node side of the Chromium job host: serves the engine bundle, opens a page per session, answers batch requests.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BatchSource, ImageBatch } from '../../../shared/batches';
import type { EngineToHost, HostToEngine, PageEnvironment, StartMessage, ViewInfo } from '../../gpu/protocol';
import { decodeFrame, encodeFrame } from '../../gpu/wire';
import type { HostPage, PageLauncher } from './launchers';

/** The host (page, browser, or the socket to it) went away before the session ended: the job is interrupted, not failed. */
export class HostGoneError extends Error {
  override readonly name = 'HostGoneError';
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, so tfjs' wasm backend can use
 * threads there (the bench's `wasm` in Chromium); nothing is cached, so a rebuilt bundle is picked up.
 */
const HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export interface SessionData {
  views: Record<string, BatchSource>;
  classNames: string[];
}

export type SessionStart = Omit<StartMessage, 'type' | 'views' | 'classNames'>;

export interface ChromiumHostOptions {
  bundleDir: string;
  launcher: PageLauncher;
  /** Diagnostics from the page (console errors) and the host. */
  log?: (line: string) => void;
  /** How long a page may take to load the bundle and connect (ms). */
  connectTimeoutMs?: number;
  /** Run the engine in a Dedicated Worker (default) or on the page itself. */
  where?: (backend: string) => 'worker' | 'page';
}

interface Pending {
  resolve: (ws: WebSocket) => void;
  reject: (e: Error) => void;
}

export class ChromiumHost {
  private readonly pending = new Map<string, Pending>();
  private readonly sessions = new Set<EngineSession>();
  private closed = false;

  private constructor(
    private readonly opts: ChromiumHostOptions,
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    readonly origin: string,
  ) {}

  get launcher(): PageLauncher {
    return this.opts.launcher;
  }

  static async start(opts: ChromiumHostOptions): Promise<ChromiumHost> {
    const root = path.resolve(opts.bundleDir);
    if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`no engine bundle in ${root} (build it with ensureGpuBundle)`);
    const server = http.createServer((req, res) => serveBundle(root, req, res));
    const wss = new WebSocketServer({ noServer: true, maxPayload: 2 ** 31 - 1, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const host = new ChromiumHost(opts, server, wss, `http://127.0.0.1:${port}`);
    server.on('upgrade', (req, socket, head) => host.upgrade(req, socket, head));
    return host;
  }

  /** Only our page, on our port, with a live session token, gets a socket. */
  private upgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.origin);
    const token = /^\/engine\/([A-Za-z0-9_-]+)$/.exec(url.pathname)?.[1];
    const waiting = token ? this.pending.get(token) : undefined;
    if (!waiting || req.headers.origin !== this.origin) {
      socket.write('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    this.pending.delete(token!);
    this.wss.handleUpgrade(req, socket, head, (ws) => waiting.resolve(ws));
  }

  /** Open a page, start the engine in its worker, and hand it `start`; batch requests are answered from `data`. */
  async open(start: SessionStart, data: SessionData): Promise<EngineSession> {
    if (this.closed) throw new Error('the Chromium job host is closed');
    const log = this.opts.log ?? (() => {});
    const token = randomBytes(18).toString('base64url');
    const connected = new Promise<WebSocket>((resolve, reject) => this.pending.set(token, { resolve, reject }));
    const wsUrl = `${this.origin.replace(/^http/, 'ws')}/engine/${token}`;
    let page: HostPage;
    try {
      const where = this.opts.where?.(start.backend) ?? 'worker';
      page = await this.opts.launcher.open(`${this.origin}/index.html#ws=${encodeURIComponent(wsUrl)}&where=${where}`, log);
    } catch (e) {
      this.pending.delete(token);
      throw new HostGoneError(`could not open the GPU host page: ${(e as Error).message}`);
    }
    const timeoutMs = this.opts.connectTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    let ws: WebSocket;
    try {
      ws = await Promise.race([
        connected,
        page.gone.then((why) => Promise.reject(new HostGoneError(`the GPU host page went away before the engine connected: ${why}`))),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new HostGoneError(`the engine did not connect within ${timeoutMs / 1000} s (see the page's console errors above)`)), timeoutMs);
        }),
      ]);
    } catch (e) {
      this.pending.delete(token);
      await page.close();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    const views: Record<string, ViewInfo> = {};
    for (const [name, v] of Object.entries(data.views)) views[name] = { size: v.size, shape: [v.shape[0], v.shape[1], v.shape[2]], numClasses: v.numClasses };
    const session = new EngineSession(ws, page, data, log);
    this.sessions.add(session);
    void session.finished.finally(() => this.sessions.delete(session));
    session.send({ type: 'start', ...start, views, classNames: data.classNames });
    return session;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new HostGoneError('the Chromium job host closed'));
    this.pending.clear();
    await Promise.all([...this.sessions].map((s) => s.close()));
    this.wss.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    await this.opts.launcher.close();
  }
}

function serveBundle(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  } catch {
    rel = '';
  }
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  const inside = file.startsWith(root + path.sep) && !rel.includes('\0');
  if (req.method !== 'GET' || !inside || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...HEADERS });
    res.end('Not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...HEADERS });
  fs.createReadStream(file).pipe(res);
}

type Terminal = Extract<EngineToHost, { type: 'result' | 'failed' | 'refused' }>;

/**
 * One engine session: its messages as an async stream (batch requests are answered here, with the next
 * batch of the same view read ahead), `stop` for a step-boundary stop. The stream ends after the
 * terminal message (result, failed, refused); it throws HostGoneError if the page or socket goes first.
 */
export class EngineSession {
  readonly env: Promise<PageEnvironment>;
  /** Settles when the session is over, whichever way. */
  readonly finished: Promise<void>;
  private readonly queue: (EngineToHost | HostGoneError)[] = [];
  private wake: (() => void) | null = null;
  private terminal: Terminal | null = null;
  private goneError: HostGoneError | null = null;
  private readonly readAhead = new Map<string, { key: string; batch: Promise<ImageBatch> }>();
  private setEnv!: (e: PageEnvironment) => void;
  private finish!: () => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly page: HostPage,
    private readonly data: SessionData,
    private readonly log: (line: string) => void,
  ) {
    this.env = new Promise((resolve) => (this.setEnv = resolve));
    this.finished = new Promise((resolve) => (this.finish = resolve));
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      let m: EngineToHost;
      try {
        m = decodeFrame<EngineToHost>(raw);
      } catch (e) {
        this.gone(`an unreadable message from the engine (${(e as Error).message})`);
        return;
      }
      this.receive(m);
    });
    // A dead browser closes the socket first; its exit (the better reason) follows within moments.
    const later = (why: string) => setTimeout(() => this.gone(why), 1500).unref();
    ws.on('close', () => later("the engine's connection closed"));
    ws.on('error', (e) => later(`the engine's connection failed: ${e.message}`));
    void page.gone.then((why) => this.gone(why));
  }

  send(m: HostToEngine): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeFrame(m));
  }

  /** Ask the engine to stop at the next step boundary (with a checkpoint). */
  stop(): void {
    this.send({ type: 'stop' });
  }

  private push(m: EngineToHost | HostGoneError): void {
    this.queue.push(m);
    this.wake?.();
  }

  private receive(m: EngineToHost): void {
    if (m.type === 'need') {
      void this.answer(m);
      return;
    }
    if (m.type === 'hello') {
      this.setEnv(m.env);
      return;
    }
    if (m.type === 'log') this.log(`[engine] ${m.message}`);
    if (m.type === 'result' || m.type === 'failed' || m.type === 'refused') this.terminal = m;
    this.push(m);
    if (this.terminal) void this.close();
  }

  private async answer(m: Extract<EngineToHost, { type: 'need' }>): Promise<void> {
    const source = this.data.views[m.view];
    if (!source) {
      this.send({ type: 'batch', id: m.id, error: `no data view '${m.view}'` });
      return;
    }
    try {
      const key = `${m.epoch}/${m.step}/${m.batchSize}`;
      const ahead = this.readAhead.get(m.view);
      const batch = await (ahead?.key === key ? ahead.batch : source.batch(m.epoch, m.step, m.batchSize));
      // Read the next batch of this view while the engine computes (sequential reads: the usual order).
      const nextStep = m.step + 1;
      if (nextStep < source.stepsPerEpoch(m.batchSize)) {
        const next = source.batch(m.epoch, nextStep, m.batchSize);
        next.catch(() => undefined);
        this.readAhead.set(m.view, { key: `${m.epoch}/${nextStep}/${m.batchSize}`, batch: next });
      } else this.readAhead.delete(m.view);
      this.send({ type: 'batch', id: m.id, batch });
    } catch (e) {
      this.send({ type: 'batch', id: m.id, error: (e as Error).message });
    }
  }

  private gone(why: string): void {
    if (this.terminal || this.goneError) return;
    this.goneError = new HostGoneError(`the GPU job host went away mid-run: ${why}`);
    this.push(this.goneError);
    void this.close();
  }

  /** Messages until the terminal one (included); throws HostGoneError if the host goes first. */
  async *messages(): AsyncGenerator<EngineToHost> {
    for (;;) {
      const m = this.queue.shift();
      if (m === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      if (m instanceof HostGoneError) throw m;
      yield m;
      if (m === this.terminal) return;
    }
  }

  private closing: Promise<void> | null = null;

  async close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        this.ws.close();
      } catch {
        // already closed
      }
      await this.page.close();
      this.finish();
    })();
    return this.closing;
  }
}
