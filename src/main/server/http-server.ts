// Browser mode: the built renderer and the API contract over HTTP (POST /api/<channel>) and WebSocket events,
// on loopback by default, every request refused without the server's token.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEnvelope, ApiErrorCode } from '../../shared/api/errors';
import { ApiError } from '../../shared/api/errors';
import { dispatch, sweepStaging, toApiError, type ApiService } from '../api';
import { sendStatic } from './static-files';
import { decodePathPart, discardBody, HttpRefusal, MAX_DISCARD, originAllowed, readBody, requestTarget } from './requests';
import { installSafetyNet, inRequestScope } from './safety-net';
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
  /** Where unexpected errors go (the request is dropped, the server keeps serving); default stderr. */
  log?: (line: string) => void;
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

function originRefusal(origin: string | string[] | undefined): string {
  const shown = JSON.stringify(String(origin).slice(0, 100));
  return `Requests from other pages are refused (Origin ${shown}): use the page at the URL that \`nasw serve\` printed.`;
}

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
  // Those left (a restart within the day) count against the uploads' shared budget.
  await uploads?.init();
  const log = opts.log ?? ((line: string) => void process.stderr.write(`nasw serve: ${line}\n`));
  let port = 0;

  /** On loopback, only loopback Host names: a DNS-rebinding page cannot talk to us under its own name. */
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!isLoopback(host)) return true;
    const name = (req.headers.host ?? '').replace(/:\d+$/, '');
    return isLoopback(name);
  };

  /** Requests told to go on sending (`100 Continue`); the others that expect it have sent no body. */
  const continued = new WeakSet<IncomingMessage>();

  /**
   * Before answering, the rest of an unread body is read and dropped: answering while the client still sends (and
   * closing, as `Connection: close` asks) makes the kernel reset the connection, and the client sees the reset,
   * not the answer. A client still waiting for `100 Continue` sends nothing, and Node closes after the answer.
   * Past MAX_DISCARD the answer goes out anyway and the connection closes.
   */
  const settleBody = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.complete) return;
    if (/100-continue/i.test(String(req.headers.expect ?? '')) && !continued.has(req)) return;
    if (!(await discardBody(req, MAX_DISCARD)) && !res.headersSent) res.setHeader('connection', 'close');
  };

  const sendJson = async (req: IncomingMessage, res: ServerResponse, status: number, body: unknown): Promise<void> => {
    await settleBody(req, res);
    if (res.headersSent || res.destroyed) return void (res.writableEnded || res.end());
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS });
    res.end(text);
  };

  const refuse = async (req: IncomingMessage, res: ServerResponse, api: boolean, status: number, code: ApiErrorCode, message: string): Promise<void> => {
    if (api) return sendJson(req, res, status, { ok: false, error: { code, message } } satisfies ApiEnvelope);
    await settleBody(req, res);
    if (res.headersSent || res.destroyed) return void (res.writableEnded || res.end());
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end(message + '\n');
  };

  /** An error nothing expected: logged, and a 500 if the answer has not started (a bug, not the client's doing). */
  const failRequest = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    if (res.headersSent) res.destroy();
    else void refuse(req, res, true, 500, 'internal', `Unexpected error: ${err instanceof Error ? err.message : String(err)}`).catch(() => res.destroy());
  };

  const describeRequest = (req: IncomingMessage) => `${req.method ?? '?'} ${JSON.stringify((req.url ?? '').slice(0, 200))}`;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // A client gone mid-answer is not an error of ours.
    res.on('error', () => {});
    const what = describeRequest(req);
    let active = true;
    res.once('close', () => (active = false));
    inRequestScope({ what, fail: (err) => failRequest(req, res, err), active: () => active }, () => {
      handle(req, res).catch((err: unknown) => {
        log(`unexpected error while answering ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        failRequest(req, res, err);
      });
    });
  };
  const server = http.createServer(onRequest);
  // `Expect: 100-continue`: the body is asked for only once the request is accepted, so a refusal costs no upload.
  server.on('checkContinue', onRequest);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestTarget(req.url);
    const api = url ? url.pathname.startsWith(API_PREFIX) : (req.url ?? '').includes(API_PREFIX);
    if (!url) return refuse(req, res, api, 400, 'invalid', 'The request target is not a valid URL path.');
    if (!hostAllowed(req)) return refuse(req, res, api, 403, 'unauthorized', 'This server only answers to loopback host names.');
    // The API takes the token from a header or the query only: a cookie would let another site's page call it.
    if (!isAuthorized(req, token, port, { cookie: !api })) {
      return refuse(req, res, api, 401, 'unauthorized', 'Missing or wrong token: open the URL that `nasw serve` printed (it ends in ?token=…).');
    }
    if (api && !originAllowed(req.headers.origin, req.headers.host)) return refuse(req, res, true, 403, 'unauthorized', originRefusal(req.headers.origin));
    const accept = () => {
      if (continued.has(req) || !/100-continue/i.test(String(req.headers.expect ?? ''))) return;
      continued.add(req);
      res.writeContinue();
    };
    if (api && UploadHandler.matches(url.pathname)) {
      if (!uploads) return refuse(req, res, true, 404, 'not-found', 'This server takes no uploads.');
      let answer: Awaited<ReturnType<UploadHandler['handle']>>;
      try {
        answer = await uploads.handle(req, url.pathname, accept);
      } catch (err) {
        const error = err instanceof ApiError ? err.toInfo() : toApiError(err);
        return sendJson(req, res, err instanceof HttpRefusal ? err.status : STATUS[error.code], { ok: false, error } satisfies ApiEnvelope);
      }
      return sendJson(req, res, answer.status, { ok: true, result: answer.result } satisfies ApiEnvelope);
    }
    if (api) {
      if (req.method !== 'POST') return refuse(req, res, true, 405, 'invalid', 'API calls are POST requests with a JSON body.');
      const channel = decodePathPart(url.pathname.slice(API_PREFIX.length));
      if (channel === null) return refuse(req, res, true, 400, 'invalid', 'The API path is not valid URL encoding.');
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BODY, accept);
      } catch (err) {
        if (err instanceof HttpRefusal) return refuse(req, res, true, err.status, err.code, err.message);
        return refuse(req, res, true, 400, 'invalid', `The request body broke off: ${(err as Error).message}`);
      }
      let payload: unknown;
      try {
        payload = body.length ? JSON.parse(body.toString('utf8')) : undefined;
      } catch (err) {
        return refuse(req, res, true, 400, 'invalid', `The request body is not JSON: ${(err as Error).message}`);
      }
      const envelope = await dispatch(service.handlers, channel, payload);
      return sendJson(req, res, envelope.ok ? 200 : STATUS[envelope.error.code], envelope);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(req, res, false, 405, 'invalid', 'Method not allowed.');
    if (!opts.rendererDir) return refuse(req, res, false, 404, 'not-found', 'This server was started without the renderer.');
    const headers: Record<string, string> = { ...SECURITY_HEADERS };
    if (url.searchParams.has(TOKEN_QUERY)) {
      // The page's own assets load with the cookie; the page keeps the token for API calls.
      headers['set-cookie'] = `${tokenCookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
    }
    await settleBody(req, res);
    sendStatic(res, opts.rendererDir, url.pathname, headers);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The socket is ours from here: without a listener, a reset while we answer would be an uncaught error.
    socket.on('error', () => socket.destroy());
    const reject = (status: number, reason: string, message: string) => {
      const body = message + '\n';
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    const what = describeRequest(req);
    // Until the handshake is answered; the connection after it is the WebSocket's, with its own error handling.
    let active = true;
    socket.once('close', () => (active = false));
    inRequestScope({ what, fail: () => socket.destroy(), active: () => active }, () => {
      try {
        const url = requestTarget(req.url);
        if (!url) return reject(400, 'Bad Request', 'The request target is not a valid URL path.');
        if (url.pathname !== EVENTS_PATH) return reject(404, 'Not Found', `Only ${EVENTS_PATH} takes WebSocket connections.`);
        if (!hostAllowed(req)) return reject(403, 'Forbidden', 'This server only answers to loopback host names.');
        if (!isAuthorized(req, token, port, { cookie: false })) return reject(401, 'Unauthorized', 'Missing or wrong token.');
        if (!originAllowed(req.headers.origin, req.headers.host)) return reject(403, 'Forbidden', originRefusal(req.headers.origin));
        wss.handleUpgrade(req, socket, head, (ws) => {
          active = false;
          wss.emit('connection', ws, req);
        });
      } catch (err) {
        log(`unexpected error while answering ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        socket.destroy();
      }
    });
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
  const removeSafetyNet = installSafetyNet(log);
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
      removeSafetyNet();
    },
  };
}
