// The token check against same-length wrong tokens (first, middle, last character), unit and on a live server.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiHandlers } from '../../shared/api/contract';
import type { ApiService } from '../api';
import { startApiServer, type ApiServer } from './http-server';
import { tokenCookieName, tokenMatches } from './token';

// Fixed, so the wrong ones below are written out by hand: each the same length, one character changed.
const TOKEN = 'abcdefghijklmnopqrstuvwxyz012345';
const WRONG: [string, string][] = [
  ['its first character', 'Xbcdefghijklmnopqrstuvwxyz012345'],
  ['a middle character', 'abcdefghijklmnoXqrstuvwxyz012345'],
  ['its last character', 'abcdefghijklmnopqrstuvwxyz01234X'],
];

describe('tokenMatches', () => {
  it('refuses a wrong token of the right length wherever it differs', () => {
    for (const [where, wrong] of WRONG) {
      expect(wrong.length, where).toBe(TOKEN.length);
      expect(tokenMatches(TOKEN, wrong), where).toBe(false);
    }
    expect(tokenMatches(TOKEN, 'abcdefghijklmnopqrstuvwxyz012345')).toBe(true);
  });
});

function request(port: number, opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The upgrade's answer: 101 when the socket opens, else the HTTP status it was refused with. */
function upgrade(port: number, query: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events${query}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', reject);
  });
}

describe('browser mode server with same-length wrong tokens', () => {
  let server: ApiServer;
  let parent = '';

  beforeAll(async () => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-token-'));
    const dir = path.join(parent, 'renderer');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>NAS Workbench</title>');
    const handlers = { 'jobs/queue': async () => ({ maxConcurrent: 1, running: [], queued: [] }) } as unknown as ApiHandlers;
    const service: ApiService = { handlers, onEvent: () => () => {}, dispose: () => {} };
    server = await startApiServer({ service, token: TOKEN, rendererDir: dir, host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  const call = (headers: Record<string, string>, query = '') =>
    request(server.port, { path: `/api/jobs/queue${query}`, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  it('answers the right token in every place it may ride (the control)', async () => {
    expect(await call({ authorization: `Bearer ${TOKEN}` })).toBe(200);
    expect(await call({ 'x-nasw-token': TOKEN })).toBe(200);
    expect(await call({}, `?token=${TOKEN}`)).toBe(200);
    expect(await request(server.port, { path: '/', headers: { cookie: `${tokenCookieName(server.port)}=${TOKEN}` } })).toBe(200);
    expect(await upgrade(server.port, `?token=${TOKEN}`)).toBe(101);
    expect(await upgrade(server.port, '', { authorization: `Bearer ${TOKEN}` })).toBe(101);
  });

  for (const [where, wrong] of WRONG) {
    it(`refuses over HTTP a token wrong in ${where}`, async () => {
      expect(await call({ authorization: `Bearer ${wrong}` })).toBe(401);
      expect(await call({ 'x-nasw-token': wrong })).toBe(401);
      expect(await call({}, `?token=${wrong}`)).toBe(401);
      expect(await request(server.port, { path: '/', headers: { cookie: `${tokenCookieName(server.port)}=${wrong}` } })).toBe(401);
      expect(await request(server.port, { path: `/?token=${wrong}` })).toBe(401);
    });

    it(`refuses the WebSocket upgrade with a token wrong in ${where}`, async () => {
      expect(await upgrade(server.port, `?token=${wrong}`)).toBe(401);
      expect(await upgrade(server.port, '', { authorization: `Bearer ${wrong}` })).toBe(401);
      expect(await upgrade(server.port, '', { 'x-nasw-token': wrong })).toBe(401);
    });
  }
});
