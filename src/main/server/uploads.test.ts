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
    expect(over).toMatchObject({ status: 400, json: { error: { message: expect.stringMatching(/larger than this server accepts/) } } });
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
});
