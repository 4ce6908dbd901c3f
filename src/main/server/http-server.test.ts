import fs from 'node:fs';
import http from 'node:http';
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
});
