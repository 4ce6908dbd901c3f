import fs from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiHandlers } from '../../shared/api/contract';
import type { ApiEventListener, ApiService } from '../api';
import { startApiServer, type ApiServer } from './http-server';
import { generateToken, tokenCookieName } from './token';

const queue = { maxConcurrent: 1, running: [], queued: [] };

function fakeService() {
  const listeners = new Set<ApiEventListener>();
  const handlers = { 'jobs/queue': async () => queue } as unknown as ApiHandlers;
  const service: ApiService = {
    handlers,
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dispose: () => listeners.clear(),
  };
  return { service, emit: (event: 'job' | 'queue', payload: unknown) => listeners.forEach((l) => l(event, payload as never)) };
}

/** A raw request, so the Host header can be anything. */
function request(port: number, opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Bytes over a plain TCP socket, for requests no HTTP client would send; answers the first line of the reply. */
function raw(port: number, text: string | Buffer, opts: { readAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    // `readAfterWrite`: read nothing until all is sent, as a client busy uploading would; an answer the server sent
    // early and then closed on is lost to the reset.
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text, () => socket.resume()));
    if (opts.readAfterWrite) socket.pause();
    let out = '';
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      // An upgrade that succeeds stays open: the status line is all we want.
      if (out.includes('\r\n\r\n') && out.startsWith('HTTP/1.1 101')) socket.destroy();
    });
    socket.on('close', () => resolve(out.split('\r\n')[0] ?? ''));
    socket.on('error', () => {});
  });
}

let dir = '';
let server: ApiServer;
let emit: ReturnType<typeof fakeService>['emit'];
const token = generateToken();

beforeEach(async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-server-'));
  dir = path.join(parent, 'renderer');
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>NAS Workbench</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(parent, 'nasw-secret.txt'), 'secret');
  const fake = fakeService();
  emit = fake.emit;
  server = await startApiServer({ service: fake.service, token, rendererDir: dir, host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  await server.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

const api = (channel: string, headers: Record<string, string> = {}, body = '{}') => request(server.port, { path: `/api/${channel}`, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('browser mode server', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
  });

  it('refuses every request without the token (401), with a wrong one too', async () => {
    expect((await request(server.port, { path: '/' })).status).toBe(401);
    expect((await request(server.port, { path: '/assets/app.js' })).status).toBe(401);
    const res = await api('jobs/queue');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await api('jobs/queue', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await request(server.port, { path: `/?token=${token}x` })).status).toBe(401);
  });

  it('answers calls with the token in a header or the query', async () => {
    const res = await api('jobs/queue', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, result: queue });
    expect((await api('jobs/queue', { 'x-nasw-token': token })).status).toBe(200);
    expect((await request(server.port, { path: `/api/jobs/queue?token=${token}`, method: 'POST', body: '{}' })).status).toBe(200);
  });

  it('maps contract errors to HTTP statuses and refuses GET and bad JSON', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect(JSON.parse((await api('nope/never', auth)).body).error.code).toBe('invalid');
    expect((await api('jobs/queue', auth, '{ not json')).status).toBe(400);
    expect((await request(server.port, { path: '/api/jobs/queue', headers: auth })).status).toBe(405);
    expect((await api('jobs/queue', auth, '{"extra":1}')).status).toBe(400);
  });

  it('serves the page with the token, sets a cookie for its assets, and sends a strict CSP', async () => {
    const page = await request(server.port, { path: `/?token=${token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('NAS Workbench');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe/);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toBe(`${tokenCookieName(server.port)}=${token}`);
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await request(server.port, { path: '/assets/app.js', headers: { cookie } })).status).toBe(200);
    // The cookie opens pages, never the API: another site's form could send it.
    expect((await api('jobs/queue', { cookie })).status).toBe(401);
  });

  it('serves nothing outside the renderer folder', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await request(server.port, { path: '/../nasw-secret.txt', headers: auth })).status).toBe(404);
    expect((await request(server.port, { path: '/%2e%2e/nasw-secret.txt', headers: auth })).status).toBe(404);
    expect((await request(server.port, { path: '/assets/missing.js', headers: auth })).status).toBe(404);
    // Client-side routes get the app.
    expect((await request(server.port, { path: '/runs/3', headers: auth })).body).toContain('NAS Workbench');
  });

  it('answers only to loopback host names (DNS rebinding)', async () => {
    const res = await request(server.port, { path: `/?token=${token}`, headers: { host: `evil.example:${server.port}` } });
    expect(res.status).toBe(403);
    expect((await request(server.port, { path: `/?token=${token}`, headers: { host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('streams events over a WebSocket that needs the token', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.on('open', () => resolve(200));
      ws.on('error', () => {});
    });
    expect(refused).toBe(401);

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${token}`);
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const got = new Promise<unknown>((resolve) => ws.on('message', (m) => resolve(JSON.parse(String(m)))));
    await expect.poll(() => server.clients()).toBe(1);
    emit('queue', queue);
    expect(await got).toEqual({ event: 'queue', payload: queue });
    ws.close();
  });

  it('answers an upgrade whose target is not a URL with 400, and keeps serving', async () => {
    const upgrade = (target: string) => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`;
    expect(await raw(server.port, upgrade('http://[/api/events'))).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(server.port, upgrade('//[::1/api/events'))).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(server.port, upgrade('/elsewhere'))).toBe('HTTP/1.1 404 Not Found');
    expect((await api('jobs/queue', { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('refuses a WebSocket from Origin null or another page with 403, even with the token; the own page and no Origin get in', async () => {
    const handshake = (origin: string | null) =>
      `GET /api/events?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${origin === null ? '' : `Origin: ${origin}\r\n`}\r\n`;
    expect(await raw(server.port, handshake('null'))).toBe('HTTP/1.1 403 Forbidden');
    expect(await raw(server.port, handshake('http://evil.example'))).toBe('HTTP/1.1 403 Forbidden');
    expect(await raw(server.port, handshake('http://[::1'))).toBe('HTTP/1.1 403 Forbidden');
    expect(await raw(server.port, handshake(`file://127.0.0.1:${server.port}`))).toBe('HTTP/1.1 403 Forbidden');
    expect(await raw(server.port, handshake(`http://127.0.0.1:${server.port}`))).toBe('HTTP/1.1 101 Switching Protocols');
    expect(await raw(server.port, handshake(null))).toBe('HTTP/1.1 101 Switching Protocols');
    // The API takes the same line.
    const auth = { authorization: `Bearer ${token}` };
    const nul = await api('jobs/queue', { ...auth, origin: 'null' });
    expect(nul.status).toBe(403);
    expect(JSON.parse(nul.body)).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringMatching(/Origin "null"/) } });
    expect((await api('jobs/queue', { ...auth, origin: 'http://evil.example' })).status).toBe(403);
    expect((await api('jobs/queue', { ...auth, origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('answers bad percent-encoding and bad targets with 400 and a malformed cookie with 401, never 500', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const bad = await api('%E0%A4%A', auth);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/URL encoding/) } });
    expect(await raw(server.port, `GET http://[/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(server.port, `POST http://[/api/jobs/queue HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect((await request(server.port, { path: '/', headers: { cookie: `${tokenCookieName(server.port)}=%E0%A4%A` } })).status).toBe(401);
  });

  it('answers a body over 4 MiB with a 413 the client receives, on a connection that still works', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: Buffer, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string; continued: boolean }>((resolve, reject) => {
        let continued = false;
        const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/jobs/queue', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: text, continued }));
        });
        req.on('error', reject);
        // A client that asks first sends the body only when told to continue.
        if (headers.expect) {
          req.on('continue', () => {
            continued = true;
            req.end(body);
          });
          req.flushHeaders();
        } else req.end(body);
      });
    const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/larger than this server accepts \(4 MiB\)/) } });
    // Chunked (no length given): refused once 4 MiB have arrived, the rest read and dropped.
    const chunked = await post(big, { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect((await post(Buffer.from('{}'))).status).toBe(200);
    // A client that asks to close: answering before the body is in would reset the connection under the answer.
    const closing = Buffer.concat([
      Buffer.from(`POST /api/jobs/queue HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\nContent-Length: ${big.length}\r\n\r\n`),
      big,
    ]);
    expect(await raw(server.port, closing, { readAfterWrite: true })).toBe('HTTP/1.1 413 Payload Too Large');
    // Asked first, refused before a byte of the body is sent.
    const asked = await post(big, { expect: '100-continue', 'content-length': String(big.length) });
    expect(asked).toMatchObject({ status: 413, continued: false });
    agent.destroy();
  });

  it('keeps serving when a handler throws where nothing catches it (process-level net), and says so', async () => {
    // A child process: in this one the test runner's own handler would take the error.
    const script = `
      import { startApiServer } from ${JSON.stringify(path.resolve(import.meta.dirname, 'http-server.ts'))};
      const queue = { maxConcurrent: 1, running: [], queued: [] };
      let calls = 0;
      const handlers = { 'jobs/queue': async () => {
        if (++calls === 1) { setTimeout(() => { throw new Error('boom in a timer'); }, 0); return new Promise(() => {}); }
        // Work that outlives its request is no request handler: its error ends the process as Node would.
        if (calls === 3) setTimeout(() => { throw new Error('boom after the answer'); }, 200);
        return queue;
      } };
      const service = { handlers, onEvent: () => () => {}, dispose: () => {} };
      const server = await startApiServer({ service, token: 'tok', rendererDir: null, port: 0, uploads: null });
      process.stdout.write(server.port + '\\n');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const call = () => request(port, { path: '/api/jobs/queue', method: 'POST', headers: { authorization: 'Bearer tok' }, body: '{}' });
      const first = await call();
      expect(first.status).toBe(500);
      expect(JSON.parse(first.body)).toMatchObject({ ok: false, error: { code: 'internal', message: 'Unexpected error: boom in a timer' } });
      const second = await call();
      expect(second.status).toBe(200);
      expect(child.exitCode).toBe(null);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      expect((await call()).status).toBe(200);
      expect(await exited).toBe(1);
      expect(err).toMatch(/Error: boom after the answer/);
      expect(err).toMatch(/nasw serve: unexpected error while answering POST "\/api\/jobs\/queue" \(dropped that request, still serving\): Error: boom in a timer/);
    } finally {
      child.kill();
    }
  });
});
