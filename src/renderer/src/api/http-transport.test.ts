import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { createHttpTransport } from './http-transport';
import type { Dropped } from './transport';

/** A scripted XMLHttpRequest: answers each request from `answer`, reporting upload progress first. */
function fakeXhr(answer: (method: string, url: string, body: unknown) => { status: number; body: unknown } | 'network-error') {
  const sent: { method: string; url: string; auth: string | null; body: unknown }[] = [];
  class Xhr {
    method = '';
    url = '';
    headers: Record<string, string> = {};
    status = 0;
    statusText = '';
    responseText = '';
    upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(k: string, v: string) {
      this.headers[k] = v;
    }
    abort() {
      this.onabort?.();
    }
    send(body: unknown) {
      sent.push({ method: this.method, url: this.url, auth: this.headers.authorization ?? null, body });
      const a = answer(this.method, this.url, body);
      setTimeout(() => {
        if (a === 'network-error') return this.onerror?.();
        if (body instanceof Blob) this.upload.onprogress?.({ loaded: body.size });
        this.status = a.status;
        this.responseText = JSON.stringify(a.body);
        this.onload?.();
      }, 0);
    }
  }
  return { Xhr: Xhr as unknown as typeof XMLHttpRequest, sent };
}

const drop = (...files: [string, number][]): Dropped => ({ roots: [], files: files.map(([path, size]) => ({ file: new File([new Uint8Array(size)], path.split('/').pop()!), path })) });

describe('browser-mode staging of dropped files', () => {
  it('opens an upload, sends each file under its relative path with the token, and names the upload as the import source', async () => {
    const { Xhr, sent } = fakeXhr((method, url) => (method === 'POST' ? { status: 200, body: { ok: true, result: { uploadId: 'up12345678', maxBytes: 1000 } } } : { status: 200, body: { ok: true, result: { uploadId: 'up12345678', path: url } } }));
    const t = createHttpTransport({ origin: 'http://127.0.0.1:4310', token: 'tok', XMLHttpRequest: Xhr, uploadParallel: 1 });
    const progress: number[] = [];
    const source = await t.stage(drop(['set/cat 1/a.png', 10], ['set/dog/b.png', 20]), (p) => progress.push(p.bytes));
    expect(source).toEqual({ kind: 'upload', uploadId: 'up12345678' });
    expect(sent.map((s) => [s.method, s.url, s.auth])).toEqual([
      ['POST', 'http://127.0.0.1:4310/api/uploads', 'Bearer tok'],
      ['PUT', 'http://127.0.0.1:4310/api/uploads/up12345678/set/cat%201/a.png', 'Bearer tok'],
      ['PUT', 'http://127.0.0.1:4310/api/uploads/up12345678/set/dog/b.png', 'Bearer tok'],
    ]);
    expect(progress.at(-1)).toBe(30);
  });

  it('refuses what is larger than the server takes before sending it, and drops the upload when a file fails', async () => {
    const big = fakeXhr((method) => (method === 'POST' ? { status: 200, body: { ok: true, result: { uploadId: 'up12345678', maxBytes: 5 } } } : { status: 200, body: { ok: true, result: {} } }));
    const t1 = createHttpTransport({ origin: 'http://h', token: 't', XMLHttpRequest: big.Xhr });
    const e1 = await t1.stage(drop(['a.bin', 10])).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect((e1 as ApiError).message).toMatch(/accepts uploads up to 5 bytes/);
    expect(big.sent.map((s) => s.method)).toEqual(['POST', 'DELETE']);

    const broken = fakeXhr((method, url) =>
      method === 'POST' ? { status: 200, body: { ok: true, result: { uploadId: 'up12345678', maxBytes: 1000 } } } : url.endsWith('b.bin') ? { status: 400, body: { ok: false, error: { code: 'invalid', message: 'Upload path "b.bin" is not allowed.' } } } : { status: 200, body: { ok: true, result: {} } },
    );
    const t2 = createHttpTransport({ origin: 'http://h', token: 't', XMLHttpRequest: broken.Xhr, uploadParallel: 1 });
    const e2 = (await t2.stage(drop(['a.bin', 1], ['b.bin', 1])).catch((e: unknown) => e)) as ApiError;
    expect(e2.code).toBe('invalid');
    expect(e2.message).toMatch(/b\.bin/);
    expect(broken.sent.at(-1)!.method).toBe('DELETE');
  });
});
