import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { idxFiles, idxSet } from '../../../test/fixtures/app/idx-files';
import type { ApiEventName } from '../../shared/api/events';
import { DatasetImports } from '../jobs/dataset-import';
import { homePaths } from '../store/home';
import { sampleSearchConfig } from '../store/testing/fixtures';
import { useTempStore } from '../store/testing/temp-store';
import { dispatch } from './dispatch';
import { createApiService } from './service';
import { createUpload, uploadDir, uploadFilePath } from './staging';

const t = useTempStore();

function setup() {
  const imports = new DatasetImports({ store: t.store, home: t.dir, throttleMs: 0 });
  const runner = { submit: async () => 1, cancel: async () => {}, resume: async () => {}, onEvent: () => () => {} };
  const service = createApiService({ store: t.store, runner, imports, home: t.dir, mode: 'browser' });
  const events: { event: ApiEventName; payload: unknown }[] = [];
  service.onEvent((event, payload) => events.push({ event, payload }));
  const call = async (channel: string, payload?: unknown) => {
    const res = await dispatch(service.handlers, channel, payload);
    return res;
  };
  const ok = async <T>(channel: string, payload?: unknown): Promise<T> => {
    const res = await call(channel, payload);
    if (!res.ok) throw new Error(`${channel}: ${res.error.message}`);
    return res.result as T;
  };
  return { imports, service, events, call, ok };
}

function writeIdx(dir: string, files: Record<string, Buffer>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
  return dir;
}

interface Task {
  id: number;
  source: string;
  status: string;
  phase: string;
  name: string | null;
  format: string | null;
  images: number;
  error: { message: string; file: string | null } | null;
}

describe('datasets through the service', () => {
  it('imports a path as a task with progress events, then lists it with classes, counts and thumbnails', async () => {
    const { imports, events, ok } = setup();
    const src = writeIdx(path.join(t.dir, 'src', 'digits'), idxFiles(40, 12, 4));
    const started = await ok<Task>('datasets/import', { source: { kind: 'path', path: src } });
    expect(started).toMatchObject({ status: 'running', phase: 'detecting', source: src });
    await imports.idle();
    const seen = events.filter((e) => e.event === 'import').map((e) => e.payload as Task);
    expect(seen.map((e) => e.phase)).toEqual(expect.arrayContaining(['detecting', 'reading', 'finishing', 'done']));
    expect(seen.at(-1)).toMatchObject({ status: 'completed', name: 'digits', format: 'idx', images: 52 });
    const list = await ok<{ name: string; shape: number[]; trainImages: number }[]>('datasets/list');
    expect(list.map((d) => d.name)).toEqual(['synthetic', 'digits']);
    expect(list[1]).toMatchObject({ shape: [8, 8, 1], trainImages: 40, testImages: 12 });
    const detail = await ok<{ classCounts: unknown; thumbnails: string[][]; source: string; usedBy: unknown[] }>('datasets/get', { name: 'digits' });
    expect(detail.classCounts).toEqual({ train: [10, 10, 10, 10], test: [3, 3, 3, 3] });
    expect(detail.thumbnails.map((r) => r.length)).toEqual([3, 3, 3, 3]);
    const png = Buffer.from(detail.thumbnails[0]![0]!.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(detail.source).toBe(src);
    expect(detail.usedBy).toEqual([]);
    // Registered in the store as well.
    expect(t.store.datasets.get('digits')?.classes).toEqual(['0', '1', '2', '3']);
    expect(await ok<Task[]>('datasets/imports')).toMatchObject([{ status: 'completed', name: 'digits' }]);
  });

  it('imports an upload from the staging area, names files as uploaded, records the upload as the source, and removes it', async () => {
    const { imports, ok } = setup();
    const id = await createUpload(t.dir);
    for (const [name, bytes] of Object.entries(idxFiles(20, 8, 2))) fs.writeFileSync(uploadFilePath(t.dir, id, name), bytes);
    const task = await ok<Task>('datasets/import', { source: { kind: 'upload', uploadId: id }, name: 'uploaded' });
    expect(task).toMatchObject({ source: 't10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, train-images-idx3-ubyte, train-labels-idx1-ubyte', name: 'uploaded' });
    await imports.idle();
    expect(imports.get(task.id)).toMatchObject({ status: 'completed', name: 'uploaded' });
    expect(fs.existsSync(uploadDir(t.dir, id))).toBe(false);
    const detail = await ok<{ source: string }>('datasets/get', { name: 'uploaded' });
    expect(detail.source).toBe(`uploaded: ${task.source}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(homePaths(t.dir).datasets, 'uploaded', 'manifest.json'), 'utf8')) as { source: { path: string } };
    expect(manifest.source.path).toBe(detail.source);
  });

  it('fails with the importer\'s reason naming the file as uploaded, keeps nothing, and still removes the upload', async () => {
    const { imports, ok, events } = setup();
    const id = await createUpload(t.dir);
    const bad = idxSet(10, 2);
    bad.images.writeUInt32BE(1234, 0);
    fs.writeFileSync(uploadFilePath(t.dir, id, 'train-images-idx3-ubyte'), bad.images);
    fs.writeFileSync(uploadFilePath(t.dir, id, 'train-labels-idx1-ubyte'), bad.labels);
    const task = await ok<Task>('datasets/import', { source: { kind: 'upload', uploadId: id }, name: 'bad' });
    await imports.idle();
    const last = events.filter((e) => e.event === 'import').at(-1)!.payload as Task;
    expect(last).toMatchObject({ id: task.id, status: 'failed', error: { file: 'train-images-idx3-ubyte', message: expect.stringMatching(/^train-images-idx3-ubyte: wrong magic number 1234/) } });
    expect(fs.existsSync(path.join(homePaths(t.dir).datasets, 'bad'))).toBe(false);
    expect(fs.existsSync(uploadDir(t.dir, id))).toBe(false);
    expect(t.store.datasets.get('bad')).toBeUndefined();
  });

  it('names a missing partner file by the upload, refuses relative paths and unknown uploads', async () => {
    const { imports, ok, call } = setup();
    const id = await createUpload(t.dir);
    fs.writeFileSync(uploadFilePath(t.dir, id, 'train-images-idx3-ubyte'), idxSet(4).images);
    const task = await ok<Task>('datasets/import', { source: { kind: 'upload', uploadId: id } });
    await imports.idle();
    expect(imports.get(task.id)!.error!.message).toMatch(/^train-images-idx3-ubyte: has train-images-idx3-ubyte but no train-labels-idx1-ubyte/);
    expect(await call('datasets/import', { source: { kind: 'path', path: 'relative/dir' } })).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ path: 'source.path' }] } });
    expect(await call('datasets/import', { source: { kind: 'upload', uploadId: 'nosuchupload' } })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call('datasets/import', { source: { kind: 'upload', uploadId: '../../etc' } })).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('cancels a running import: nothing is kept', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const imports = new DatasetImports({
      store: t.store,
      home: t.dir,
      importer: async (_p, _d, o) => {
        await gate;
        o?.signal?.throwIfAborted();
        throw new Error('unreachable');
      },
    });
    const src = writeIdx(path.join(t.dir, 'src', 'slow'), idxFiles(4, 2, 2));
    const task = imports.start({ path: src, label: src });
    await new Promise((r) => setTimeout(r, 50));
    expect(imports.cancel(task.id)).toMatchObject({ status: 'running' });
    release();
    await imports.idle();
    expect(imports.get(task.id)).toMatchObject({ status: 'cancelled', error: { message: 'cancelled: nothing was kept' } });
  });

  it('refuses to delete a dataset a queued, running or resumable run uses, naming the runs; deletes it otherwise', async () => {
    const { imports, ok, call } = setup();
    await ok('datasets/import', { source: { kind: 'path', path: writeIdx(path.join(t.dir, 'src', 'used'), idxFiles(8, 4, 2)) } });
    await imports.idle();
    const run = t.store.runs.create({ kind: 'search', config: sampleSearchConfig({ data: { dataset: 'used' } }), codeVersion: 'test', name: 'needs it' });
    const refused = await call('datasets/delete', { name: 'used' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: `Dataset used is used by run #${run.id} needs it (queued); finish or delete it first.` } });
    expect(await ok('datasets/get', { name: 'used' })).toMatchObject({ usedBy: [{ runId: run.id, status: 'queued' }] });
    t.store.runs.transition(run.id, 'cancelled', { error: 'stop' });
    expect(await call('datasets/delete', { name: 'used' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    t.store.runs.remove(run.id);
    expect(await call('datasets/delete', { name: 'used' })).toEqual({ ok: true, result: { name: 'used' } });
    expect(fs.existsSync(path.join(homePaths(t.dir).datasets, 'used'))).toBe(false);
    expect(t.store.datasets.get('used')).toBeUndefined();
    expect(await call('datasets/delete', { name: 'used' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call('datasets/get', { name: 'used' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
