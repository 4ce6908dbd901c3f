// Browser mode's access token: random per server, required on every request (header, query or cookie).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_QUERY = 'token';
export const TOKEN_HEADER = 'x-nasw-token';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Cookie name per port: browsers share cookies across ports of one host, servers must not share tokens. */
export function tokenCookieName(port: number): string {
  return `nasw_token_${port}`;
}

/** Every place a request may carry the token: `Authorization: Bearer`, `x-nasw-token`, `?token=`, the cookie. */
export function tokensOf(req: IncomingMessage, port: number, opts: { cookie?: boolean } = {}): string[] {
  const found: string[] = [];
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) found.push(auth.slice(7).trim());
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string') found.push(header);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query = url.searchParams.get(TOKEN_QUERY);
  if (query) found.push(query);
  if (opts.cookie !== false) {
    const cookie = readCookie(req.headers.cookie, tokenCookieName(port));
    if (cookie) found.push(cookie);
  }
  return found;
}

export function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `cookie: false` for the API and events: a cookie rides along on other sites' requests, a header cannot. */
export function isAuthorized(req: IncomingMessage, token: string, port: number, opts: { cookie?: boolean } = {}): boolean {
  return tokensOf(req, port, opts).some((t) => tokenMatches(token, t));
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    // Bad percent-encoding is no token (and no reason to fail the request).
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
