// Request hygiene for browser mode: the target and Origin parsed without throwing, bodies read within a limit,
// and refusals sent only after the rest of the body is read, so they reach the client instead of a reset.
import type { IncomingMessage } from 'node:http';
import { ApiError, type ApiErrorInfo } from '../../shared/api/errors';

/** Past a refused body, how much more is read and dropped before the refusal goes out anyway (and the socket closes). */
export const MAX_DISCARD = 64 * 1024 * 1024;

/** An API refusal whose HTTP status is not its code's usual one (413 too large, 507 no room). */
export class HttpRefusal extends ApiError {
  constructor(
    readonly status: number,
    info: ApiErrorInfo,
  ) {
    super(info);
  }
}

/** The request target as a URL, or null when it is none (`http://[/api/events`): such a request gets a 400. */
export function requestTarget(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** `decodeURIComponent`, or null for bad percent-encoding (`%E0%A4%A`). */
export function decodePathPart(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/**
 * Whether a request's Origin may use the API and the event stream: none (not a browser: the CLI, scripts; the token
 * is enough), or an http(s) origin whose host is the Host the request was sent to (our own page).
 *
 * `Origin: null` is refused even with a valid token and Host: browsers send it from sandboxed frames, file:// pages
 * and some redirects, that is from any page at all. Our UI is only ever served from http://host:port, so no page
 * of ours sends it, and refusing it costs nothing legitimate; a token that leaked into such a page gains nothing.
 * A malformed Origin (or two joined into one header) is refused the same way.
 */
export function originAllowed(origin: string | string[] | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (typeof origin !== 'string' || !host) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  // The URL parser lower-cases the host and drops a default port; the Host header is compared the same way.
  const asked = (() => {
    try {
      return new URL(`${parsed.protocol}//${host}`).host;
    } catch {
      return null;
    }
  })();
  return asked !== null && parsed.host === asked && origin === parsed.origin;
}

/** The declared Content-Length, or null (chunked, absent). Node has already refused malformed ones. */
export function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export function tooLarge(max: number, what = 'The request body'): HttpRefusal {
  return new HttpRefusal(413, { code: 'invalid', message: `${what} is larger than this server accepts (${formatBytes(max)}).` });
}

/**
 * The whole body, at most `max` bytes: a larger one (declared or sent) is a 413 `HttpRefusal`. The request is left
 * undestroyed, so the caller can `discardBody` and still answer. `accept` runs once a declared length passed (it
 * sends `100 Continue` to a client that waits for one).
 */
export async function readBody(req: IncomingMessage, max: number, accept: () => void = () => {}): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== null && declared > max) throw tooLarge(max);
  accept();
  const chunks: Buffer[] = [];
  let size = 0;
  // `destroyOnReturn: false`: leaving the loop early must not reset the connection the refusal goes out on.
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads and drops what is left of a request body, up to `limit` bytes. Answering while the client still sends
 * makes the kernel reset the connection, and the client never sees the answer. Resolves true when the body ended,
 * false when the client sent more than `limit` or went away (answer anyway, with `Connection: close`).
 */
export function discardBody(req: IncomingMessage, limit = MAX_DISCARD): Promise<boolean> {
  if (req.complete || req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let seen = 0;
    const done = (ended: boolean) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) {
        req.pause();
        done(false);
      }
    };
    const onEnd = () => done(true);
    const onGone = () => done(req.complete);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
    req.resume();
  });
}

export function formatBytes(b: number): string {
  if (b >= 1024 ** 3) return `${+(b / 1024 ** 3).toFixed(1)} GiB`;
  if (b >= 1024 ** 2) return `${+(b / 1024 ** 2).toFixed(1)} MiB`;
  if (b >= 1024) return `${+(b / 1024).toFixed(1)} KiB`;
  return `${b} bytes`;
}
