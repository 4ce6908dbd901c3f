// Browser mode: the built renderer and the API contract over HTTP (POST /api/<channel>) and WebSocket events,
// on loopback by default, every request refused without the server's token.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEnvelope, ApiErrorCode } from '../../shared/api/errors';
import { ApiError } from '../../shared/api/errors';
import { dispatch, sweepStaging, toApiError, type ApiService } from '../api';
import { sendStatic } from './static-files';
import { isAuthorized, TOKEN_QUERY, tokenCookieName } from './token';
import { UploadHandler, type UploadLimits } from './uploads';

export const API_PREFIX = '/api/';
export const EVENTS_PATH = '/api/events';
const MAX_BODY = 4 * 1024 * 1024;

export interface ApiServerOptions {
  service: ApiService;
  token: string;
  /** The built renderer (out/renderer); null serves only the API. */
  rendererDir: string | null;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Dataset uploads into `<home>/staging` (browser mode's drop zone), on by default in the service's home; null: none. */
  uploads?: (UploadLimits & { home?: string }) | null;
}

export interface ApiServer {
  readonly host: string;
  readonly port: number;
  /** Open this to use the UI: http://host:port/?token=… */
  readonly url: string;
  /** Connected WebSocket clients. */
  clients(): number;
  close(): Promise<void>;
}

const STATUS: Record<ApiErrorCode, number> = { invalid: 400, unauthorized: 401, 'not-found': 404, conflict: 409, internal: 500, unavailable: 503 };

export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const SECURITY_HEADERS = {
  'content-security-policy': contentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const { service, token } = opts;
  const uploadHome = opts.uploads === null ? null : (opts.uploads?.home ?? service.home ?? null);
  const uploads = uploadHome ? new UploadHandler(uploadHome, opts.uploads ?? {}) : null;
  // Uploads never imported (a closed tab, a crash mid-import) are swept after a day.
  if (uploadHome) await sweepStaging(uploadHome, 24 * 3600 * 1000).catch(() => []);
  let port = 0;

  /** On loopback, only loopback Host names: a DNS-rebinding page cannot talk to us under its own name. */
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!isLoopback(host)) return true;
    const name = (req.headers.host ?? '').replace(/:\d+$/, '');
    return isLoopback(name);
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra });
    res.end(text);
  };

  const refuse = (res: ServerResponse, api: boolean, status: number, code: ApiErrorCode, message: string) => {
    if (api) sendJson(res, status, { ok: false, error: { code, message } } satisfies ApiEnvelope);
    else {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(message + '\n');
    }
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) refuse(res, true, 500, 'internal', err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const api = url.pathname.startsWith(API_PREFIX);
    if (!hostAllowed(req)) return refuse(res, api, 403, 'unauthorized', 'This server only answers to loopback host names.');
    // The API takes the token from a header or the query only: a cookie would let another site's page call it.
    if (!isAuthorized(req, token, port, { cookie: !api })) {
      return refuse(res, api, 401, 'unauthorized', 'Missing or wrong token: open the URL that `nasw serve` printed (it ends in ?token=…).');
    }
    if (api && UploadHandler.matches(url.pathname)) {
      if (!uploads) return refuse(res, true, 404, 'not-found', 'This server takes no uploads.');
      try {
        const answer = await uploads.handle(req, url.pathname);
        return sendJson(res, answer.status, { ok: true, result: answer.result } satisfies ApiEnvelope);
      } catch (err) {
        const error = err instanceof ApiError ? err.toInfo() : toApiError(err);
        // Unread request bytes would be taken for the next request on this connection: close it.
        return sendJson(res, STATUS[error.code], { ok: false, error } satisfies ApiEnvelope, req.complete ? {} : { connection: 'close' });
      }
    }
    if (api) {
      if (req.method !== 'POST') return refuse(res, true, 405, 'invalid', 'API calls are POST requests with a JSON body.');
      const channel = decodeURIComponent(url.pathname.slice(API_PREFIX.length));
      let payload: unknown;
      try {
        const body = await readBody(req);
        payload = body.length ? JSON.parse(body) : undefined;
      } catch (err) {
        return refuse(res, true, 400, 'invalid', `The request body is not JSON: ${(err as Error).message}`);
      }
      const envelope = await dispatch(service.handlers, channel, payload);
      return sendJson(res, envelope.ok ? 200 : STATUS[envelope.error.code], envelope);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, false, 405, 'invalid', 'Method not allowed.');
    if (!opts.rendererDir) return refuse(res, false, 404, 'not-found', 'This server was started without the renderer.');
    const headers: Record<string, string> = { ...SECURITY_HEADERS };
    if (url.searchParams.has(TOKEN_QUERY)) {
      // The page's own assets load with the cookie; the page keeps the token for API calls.
      headers['set-cookie'] = `${tokenCookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
    }
    sendStatic(res, opts.rendererDir, url.pathname, headers);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== EVENTS_PATH) return reject(404, 'Not Found');
    if (!hostAllowed(req)) return reject(403, 'Forbidden');
    if (!isAuthorized(req, token, port, { cookie: false })) return reject(401, 'Unauthorized');
    const origin = req.headers.origin;
    if (origin && new URL(origin).host !== req.headers.host) return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    // Clients only listen; anything they send is ignored.
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) ws.terminate();
      else {
        alive.set(ws, false);
        ws.ping();
      }
    }
  }, 30_000);
  heartbeat.unref();

  const unsubscribe = service.onEvent((event, payload) => {
    if (wss.clients.size === 0) return;
    const text = JSON.stringify({ event, payload });
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    host,
    port,
    url: `http://${urlHost}:${port}/?${TOKEN_QUERY}=${encodeURIComponent(token)}`,
    clients: () => wss.clients.size,
    close: async () => {
      unsubscribe();
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
