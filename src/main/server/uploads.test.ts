import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../shared/api/contract';
import type { ApiService } from '../api';
import { startApiServer, type ApiServer } from './http-server';
import { generateToken } from './token';

const token = generateToken();
const auth = { authorization: `Bearer ${token}` };
let home = '';
let server: ApiServer;

function request(opts: { path: string; method: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; json: { ok: boolean; result?: Record<string, unknown>; error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: opts.path, method: opts.method, headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A PUT whose body arrives in pieces: `send` writes more, `finish` ends it and waits for the answer. */
function streamingPut(id: string, name: string, headers: Record<string, string>) {
  let settle!: (v: { status: number; json: { ok: boolean; error?: { code: string; message: string } } }) => void;
  const answer = new Promise<{ status: number; json: { ok: boolean; error?: { code: string; message: string } } }>((r) => (settle = r));
  const req = http.request({ host: '127.0.0.1', port: server.port, path: `/api/uploads/${id}/${name}`, method: 'PUT', headers: { ...auth, ...headers } }, (res) => {
    let body = '';
    res.on('data', (d: Buffer) => (body += d.toString()));
    res.on('end', () => settle({ status: res.statusCode!, json: JSON.parse(body) }));
  });
  const failed = new Promise<never>((_, reject) => req.on('error', reject));
  return {
    send: (b: Buffer) => new Promise<void>((r) => req.write(b, () => r())),
    finish: (b?: Buffer) => {
      req.end(b);
      return Promise.race([answer, failed]);
    },
    answer: () => Promise.race([answer, failed]),
  };
}

async function restart(limits: Record<string, number>) {
  await server.close();
  const service: ApiService = { handlers: {} as ApiHandlers, home, onEvent: () => () => {}, dispose: () => {} };
  server = await startApiServer({ service, token, rendererDir: null, port: 0, uploads: limits });
}

const open = async () => (await request({ path: '/api/uploads', method: 'POST', headers: auth })).json.result!.uploadId as string;
const put = (id: string, name: string, body: string | Buffer, headers: Record<string, string> = auth) => request({ path: `/api/uploads/${id}/${name}`, method: 'PUT', headers, body });

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-uploads-'));
  const service: ApiService = { handlers: {} as ApiHandlers, home, onEvent: () => () => {}, dispose: () => {} };
  server = await startApiServer({ service, token, rendererDir: null, port: 0, uploads: { maxBytes: 1000 } });
});

afterEach(async () => {
  await server.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('browser-mode uploads into the staging area', () => {
  it('needs the token in a header, never a cookie or nothing', async () => {
    expect((await request({ path: '/api/uploads', method: 'POST' })).status).toBe(401);
    expect((await request({ path: '/api/uploads', method: 'POST', headers: { cookie: `nasw_token_${server.port}=${token}` } })).status).toBe(401);
    const id = await open();
    expect((await put(id, 'a.bin', 'x', {})).status).toBe(401);
  });

  it('streams files under their relative names into <home>/staging/<id>, once each', async () => {
    const id = await open();
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    const res = await put(id, 'mnist/train-images-idx3-ubyte', Buffer.from([1, 2, 3]));
    expect(res).toEqual({ status: 200, json: { ok: true, result: { uploadId: id, path: 'mnist/train-images-idx3-ubyte', bytes: 3 } } });
    expect([...fs.readFileSync(path.join(home, 'staging', id, 'mnist', 'train-images-idx3-ubyte'))]).toEqual([1, 2, 3]);
    expect(await put(id, 'cat%201/x.png', 'png')).toMatchObject({ status: 200, json: { result: { path: 'cat 1/x.png' } } });
    expect(await put(id, 'mnist/train-images-idx3-ubyte', 'again')).toMatchObject({ status: 409, json: { error: { code: 'conflict' } } });
    expect(fs.readFileSync(path.join(home, 'staging', id, 'mnist', 'train-images-idx3-ubyte')).length).toBe(3);
  });

  it('refuses names that leave the upload or hide, and unknown uploads', async () => {
    const id = await open();
    for (const name of ['..%2F..%2Fevil', '%2E%2E/evil', 'a/../../evil', '.hidden', 'a//b', '%2Fetc%2Fpasswd', 'a%00b']) {
      const res = await put(id, name, 'x');
      expect(res.status, name).toBe(400);
    }
    expect(fs.readdirSync(home).sort()).toEqual(['staging']);
    expect(fs.readdirSync(path.join(home, 'staging', id))).toEqual([]);
    expect((await put('AAAAAAAAAAAAAAAAAAAAAAAA', 'a.bin', 'x')).status).toBe(404);
    expect((await put('bad%20id', 'a.bin', 'x')).status).toBe(400);
  });

  it('refuses what goes over the size limit, keeping nothing of the refused file', async () => {
    const id = await open();
    expect((await put(id, 'a.bin', Buffer.alloc(600))).status).toBe(200);
    const over = await put(id, 'b.bin', Buffer.alloc(600));
    expect(over).toMatchObject({ status: 413, json: { error: { message: expect.stringMatching(/larger than this server accepts/) } } });
    expect(fs.readdirSync(path.join(home, 'staging', id))).toEqual(['a.bin']);
  });

  it('drops an upload on DELETE, and sweeps stale ones at start', async () => {
    const id = await open();
    await put(id, 'a.bin', 'x');
    expect((await request({ path: `/api/uploads/${id}`, method: 'DELETE', headers: auth })).status).toBe(200);
    expect(fs.existsSync(path.join(home, 'staging', id))).toBe(false);
    const stale = path.join(home, 'staging', 'oldoldoldoldold1');
    fs.mkdirSync(stale, { recursive: true });
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    fs.utimesSync(stale, old, old);
    const fresh = await open();
    await server.close();
    const service: ApiService = { handlers: {} as ApiHandlers, home, onEvent: () => () => {}, dispose: () => {} };
    server = await startApiServer({ service, token, rendererDir: null, port: 0 });
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(path.join(home, 'staging', fresh))).toBe(true);
  });

  it('offers no upload routes when turned off', async () => {
    await server.close();
    const service: ApiService = { handlers: {} as ApiHandlers, home, onEvent: () => () => {}, dispose: () => {} };
    server = await startApiServer({ service, token, rendererDir: null, port: 0, uploads: null });
    expect((await request({ path: '/api/uploads', method: 'POST', headers: auth })).status).toBe(404);
  });

  it('refuses a body without a length once it passes the limit, with a 413 the client receives', async () => {
    const id = await open();
    const up = streamingPut(id, 'big.bin', { 'transfer-encoding': 'chunked' });
    // Far more than the limit, so that a reset instead of an answer would show.
    const res = await up.finish(Buffer.alloc(2 * 1024 * 1024));
    expect(res).toMatchObject({ status: 413, json: { ok: false, error: { code: 'invalid', message: 'The upload is larger than this server accepts (1000 bytes).' } } });
    expect(fs.readdirSync(path.join(home, 'staging', id))).toEqual([]);
  });

  it('bounds what all uploads hold together, stored and arriving, with a 507 that says what to do', async () => {
    await restart({ maxBytes: 1000, maxTotalBytes: 1500 });
    const a = await open();
    expect((await put(a, 'a.bin', Buffer.alloc(800))).status).toBe(200);
    // A new upload is told how much room is left.
    const opened = await request({ path: '/api/uploads', method: 'POST', headers: auth });
    expect(opened.json.result).toMatchObject({ maxBytes: 700 });
    const b = opened.json.result!.uploadId as string;
    const full = await put(b, 'b.bin', Buffer.alloc(800));
    expect(full).toMatchObject({
      status: 507,
      json: { ok: false, error: { code: 'unavailable', message: 'Uploads waiting to be imported already hold 800 bytes of the 1.5 KiB this server keeps, no room for 800 bytes more: import or drop them first (DELETE /api/uploads/<id>).' } },
    });
    expect(fs.readdirSync(path.join(home, 'staging', b))).toEqual([]);
    // Bytes still arriving count: a PUT that declared 600 holds them while it sends.
    const slow = streamingPut(b, 'slow.bin', { 'content-length': '600' });
    await slow.send(Buffer.alloc(100));
    expect((await put(a, 'c.bin', Buffer.alloc(200))).status).toBe(507);
    expect(await slow.finish(Buffer.alloc(500))).toMatchObject({ status: 200 });
    // Dropping one gives its room back; so does an import (its folder removed), noticed when room runs short.
    expect((await request({ path: `/api/uploads/${a}`, method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await put(b, 'd.bin', Buffer.alloc(400))).status).toBe(200);
    const c = await open();
    expect((await put(c, 'e.bin', Buffer.alloc(600))).status).toBe(507);
    fs.rmSync(path.join(home, 'staging', b), { recursive: true });
    expect((await put(c, 'e.bin', Buffer.alloc(600))).status).toBe(200);
  });

  it('counts uploads a previous server left, bounds how many are open, and keeps a reserve of free disk', async () => {
    const left = path.join(home, 'staging', 'leftleftleftleft');
    fs.mkdirSync(path.join(left, 'set'), { recursive: true });
    fs.writeFileSync(path.join(left, 'set', 'x.bin'), Buffer.alloc(900));
    await restart({ maxBytes: 1000, maxTotalBytes: 1000, maxUploads: 2 });
    expect((await request({ path: '/api/uploads', method: 'POST', headers: auth })).json.result).toMatchObject({ maxBytes: 100 });
    const third = await request({ path: '/api/uploads', method: 'POST', headers: auth });
    expect(third).toMatchObject({ status: 507, json: { error: { code: 'unavailable', message: expect.stringMatching(/^2 uploads are waiting to be imported, the most this server keeps/) } } });
    await restart({ reserveBytes: Number.MAX_SAFE_INTEGER });
    const disk = await request({ path: '/api/uploads', method: 'POST', headers: auth });
    expect(disk).toMatchObject({ status: 507, json: { error: { message: expect.stringMatching(/has too little free space \(uploads leave .* free\)/) } } });
  });
});
