import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { installFakeApi } from '../testing/fake-api';
import { epoch, runDetail, runSummary, searchMetrics } from '../testing/samples';
import { RELOAD_DELAY_MS } from './debounce';
import { connectEvents } from './events';
import { useCompareStore } from './compare';
import { useDatasetsStore } from './datasets';
import { useJobsStore } from './jobs';
import { useRunStore } from './run';
import { useRunsStore } from './runs';
import { useSpacesStore } from './spaces';
import { useSystemStore } from './system';

const flush = () => new Promise((r) => setTimeout(r, 0));
const queue = { maxConcurrent: 1, running: [], queued: [] };

beforeEach(() => {
  setActivePinia(createPinia());
  RELOAD_DELAY_MS.value = 0;
});

describe('runs store', () => {
  it('lists search runs, and reloads when a job changes status', async () => {
    let runs = [runSummary()];
    const fake = installFakeApi({ 'runs/list': () => runs });
    const store = useRunsStore();
    await store.load();
    expect(store.runs.map((r) => r.id)).toEqual([1]);
    expect(fake.calls[0]).toEqual({ channel: 'runs/list', payload: { kind: 'search' } });
    runs = [runSummary({ id: 2, status: 'queued' }), runSummary()];
    store.applyJobEvent({ type: 'status', runId: 2, status: 'queued' });
    await flush();
    expect(store.runs.map((r) => r.id)).toEqual([2, 1]);
    expect(store.byId(2)?.status).toBe('queued');
  });

  it('keeps the reason when listing fails', async () => {
    installFakeApi({});
    const store = useRunsStore();
    await store.load();
    expect(store.error).toMatch(/no fake for runs\/list/);
  });
});

describe('run store', () => {
  it('extends the curves as epoch events arrive and reloads on checkpoints and genotypes', async () => {
    let detail = runDetail();
    installFakeApi({ 'runs/get': () => detail });
    const store = useRunStore();
    await store.load(1);
    expect(store.epochs.map((e) => e.epoch)).toEqual([0]);
    detail = runDetail({ epochs: [epoch(0), epoch(1)] });
    store.applyJobEvent({ type: 'epoch', runId: 1, epoch: 1, metrics: searchMetrics(1) });
    // At once, from the event (before any reload answers).
    expect(store.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(store.epochs[1]!.valAcc).toBeCloseTo(0.25);
    await flush();
    // Another run's epoch changes nothing.
    store.applyJobEvent({ type: 'epoch', runId: 9, epoch: 5, metrics: searchMetrics(5) });
    expect(store.epochs).toHaveLength(2);
  });

  it('refreshes when a discretize job it started finishes', async () => {
    let calls = 0;
    installFakeApi({ 'runs/get': () => (calls++, runDetail()) });
    const store = useRunStore();
    await store.load(1);
    store.watch(7);
    store.applyJobEvent({ type: 'status', runId: 7, status: 'completed' });
    await flush();
    store.applyJobEvent({ type: 'status', runId: 8, status: 'completed' });
    await flush();
    expect(calls).toBe(2);
  });
});

describe('jobs store', () => {
  it('tracks progress while running and keeps the failure reason', () => {
    installFakeApi({});
    const jobs = useJobsStore();
    const progress = { epoch: 0, step: 1, stepsPerEpoch: 2, epochs: 2, loss: 1.5, elapsed: 3, eta: 9 };
    jobs.applyJobEvent({ type: 'progress', runId: 4, progress });
    expect(jobs.progress[4]).toEqual(progress);
    jobs.applyJobEvent({ type: 'status', runId: 4, status: 'failed', error: 'out of memory' });
    expect(jobs.progress[4]).toBeUndefined();
    expect(jobs.errors[4]).toBe('out of memory');
  });

  it('keeps a run’s warnings (a checkpoint skipped on resume) for its page, apart from other runs and info lines', () => {
    installFakeApi({});
    const jobs = useJobsStore();
    const skipped = 'checkpoint ckpt-e00002-s000000.nasw is unusable (hash mismatch (file corrupt)); kept as ckpt-e00002-s000000.nasw.4.invalid; falling back to the previous one';
    jobs.applyJobEvent({ type: 'log', runId: 5, level: 'info', message: 'result: {}' });
    jobs.applyJobEvent({ type: 'log', runId: 5, level: 'warn', message: skipped });
    jobs.applyJobEvent({ type: 'log', runId: 6, level: 'error', message: 'other run' });
    expect(jobs.warnings(5)).toEqual([skipped]);
    expect(jobs.warnings(6)).toEqual(['other run']);
    expect(jobs.warnings(7)).toEqual([]);
  });

  it('shows a refused action with its reason, and submits searches as jobs', async () => {
    const fake = installFakeApi({
      'jobs/cancel': () => {
        throw { code: 'conflict', message: 'Run #3 is completed; only queued or running runs can be cancelled.' };
      },
      'jobs/submit': () => ({ runId: 12, status: 'queued' }),
    });
    const jobs = useJobsStore();
    expect(await jobs.cancel(3)).toBeNull();
    expect(jobs.errors[3]).toMatch(/only queued or running/);
    expect(jobs.isBusy('cancel:3')).toBe(false);
    expect(await jobs.submitSearch({ epochs: 2 }, 'mine')).toBe(12);
    expect(fake.calls.at(-1)).toEqual({ channel: 'jobs/submit', payload: { spec: { kind: 'search', name: 'mine', config: { epochs: 2 } } } });
  });

  it('passes field issues of a refused search through as an ApiError', async () => {
    installFakeApi({ 'jobs/submit': () => { throw { code: 'invalid', message: 'bad', issues: [{ path: 'config.space.channels', message: 'channels must be even' }] }; } });
    const err = await useJobsStore().submitSearch({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).issues[0]!.path).toBe('config.space.channels');
  });
});

describe('system store and event routing', () => {
  it('shows the backend a job reports, and the queue as it changes', async () => {
    const fake = installFakeApi({ 'system/info': () => ({ app: { name: 'NAS Workbench', version: '1' }, mode: 'browser', home: '/h', platform: 'linux', compute: null, queue }) });
    const system = useSystemStore();
    connectEvents(fake.client, fake.transport);
    await system.load();
    expect(system.connection).toBe('open');
    fake.emit('job', { type: 'backend', runId: 3, backend: { backend: 'webgl', device: 'SwiftShader', kind: 'software', notes: [] } });
    expect(system.info?.compute).toMatchObject({ backend: 'webgl', kind: 'software', runId: 3, source: 'running' });
    const q = { maxConcurrent: 1, running: [{ runId: 3, kind: 'search', name: 's', status: 'running', parentId: null, progress: null }], queued: [] };
    fake.emit('queue', q);
    expect(system.queue).toEqual(q);
    // An event that breaks the contract reaches no store.
    fake.emit('queue', { running: 'all' });
    expect(system.queue).toEqual(q);
    expect(fake.dropped).toEqual(['queue']);
  });
});

describe('datasets store', () => {
  const task = (over: Record<string, unknown> = {}) => ({ id: 3, revision: 0, source: 'a, b', name: 'mine', format: null, status: 'running', phase: 'detecting', file: null, images: 0, total: null, error: null, startedAt: '2026-11-29T12:00:00.000Z', finishedAt: null, ...over });
  const dropped = { roots: [], files: [{ file: new File([new Uint8Array(3)], 'train-images-idx3-ubyte'), path: 'train-images-idx3-ubyte' }] };

  it('stages what was dropped, starts the import, and keeps the newest snapshot whatever order they arrive in', async () => {
    let lists = 0;
    const staged: unknown[] = [];
    const fake = installFakeApi(
      { 'datasets/import': () => task(), 'datasets/list': () => (lists++, []) },
      { stage: async (d) => (staged.push(d), { kind: 'upload', uploadId: 'upload-000001' }) },
    );
    const store = useDatasetsStore();
    // The failure event overtakes the answer that started the import.
    store.applyImport(task({ revision: 2, status: 'failed', error: { message: 'x: bad', file: 'x' } }) as never);
    expect(await store.importDropped(dropped, { name: 'mine', size: 32 })).toMatchObject({ status: 'running' });
    expect(staged).toEqual([dropped]);
    expect(fake.calls.find((c) => c.channel === 'datasets/import')!.payload).toEqual({ source: { kind: 'upload', uploadId: 'upload-000001' }, name: 'mine', size: 32 });
    expect(store.imports.map((t) => [t.id, t.status])).toEqual([[3, 'failed']]);
    expect(store.staging).toBeNull();
    store.applyImport(task({ id: 4, revision: 5, status: 'completed', phase: 'done' }) as never);
    expect(store.imports.map((t) => t.id)).toEqual([4, 3]);
    await flush();
    expect(lists).toBe(1);
    store.dismissImport(4);
    store.applyImport(task({ id: 4, revision: 6, status: 'completed' }) as never);
    expect(store.imports.map((t) => t.id)).toEqual([3]);
  });

  it('keeps why staging failed, and why a delete was refused', async () => {
    installFakeApi(
      { 'datasets/delete': () => { throw { code: 'conflict', message: 'Dataset d is used by run #2 s (queued); finish or delete it first.' }; } },
      { stage: async () => { throw new Error('The upload to the workbench server broke off.'); } },
    );
    const store = useDatasetsStore();
    expect(await store.importDropped(dropped, {}, '1 file')).toBeNull();
    expect(store.staging).toMatchObject({ label: '1 file', error: 'The upload to the workbench server broke off.' });
    expect(await store.remove('d')).toBe(false);
    expect(store.deleteErrors.d).toMatch(/used by run #2/);
    expect(store.deleting).toBeNull();
  });
});

describe('compare store', () => {
  it('loads the picked runs and reads them again when one of them records an epoch', async () => {
    const fake = installFakeApi({ 'runs/compare': () => [], 'runs/list': (p) => [runSummary({ id: (p as { kind: string }).kind === 'search' ? 1 : 2, kind: (p as { kind: 'search' | 'retrain' }).kind })] });
    const store = useCompareStore();
    await store.load([3, 7]);
    expect(fake.calls.at(-1)).toEqual({ channel: 'runs/compare', payload: { ids: [3, 7] } });
    store.applyJobEvent({ type: 'epoch', runId: 9, epoch: 0, metrics: {} });
    store.applyJobEvent({ type: 'progress', runId: 7, progress: { epoch: 0, step: 1, stepsPerEpoch: 2, epochs: 1, loss: 1, elapsed: 1, eta: 1 } });
    await flush();
    expect(fake.calls.filter((c) => c.channel === 'runs/compare')).toHaveLength(1);
    store.applyJobEvent({ type: 'epoch', runId: 7, epoch: 0, metrics: {} });
    await flush();
    expect(fake.calls.filter((c) => c.channel === 'runs/compare')).toHaveLength(2);
    await store.loadCandidates();
    expect(store.candidates.map((r) => r.kind).sort()).toEqual(['retrain', 'search']);
    await store.load([]);
    expect(store.entries).toEqual([]);
  });
});

describe('spaces store', () => {
  it('saves a space and lists again; the service\'s refusal comes back as an ApiError with its fields', async () => {
    let saved = false;
    const fake = installFakeApi({
      'spaces/list': () => (saved ? [{ name: 'mine', ops: ['none', 'skip_connect'], nodes: 2, cells: 2, channels: 4, builtin: false }] : []),
      'spaces/save': (p) => {
        const space = (p as { space: { name: string } }).space;
        if (space.name === 'bad') throw { code: 'conflict', message: 'no', issues: [{ path: 'space.name', message: 'taken' }] };
        saved = true;
        return { ...space, builtin: false };
      },
    });
    const store = useSpacesStore();
    await store.save({ name: 'mine', ops: ['none', 'skip_connect'], nodes: 2, cells: 2, channels: 4 });
    expect(store.saved.map((s) => s.name)).toEqual(['mine']);
    const err = await store.save({ name: 'bad', ops: ['skip_connect'], nodes: 2, cells: 2, channels: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).issues[0]!.path).toBe('space.name');
    expect(fake.calls.map((c) => c.channel)).toEqual(['spaces/save', 'spaces/list', 'spaces/save']);
  });
});
