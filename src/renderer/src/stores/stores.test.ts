import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { installFakeApi } from '../testing/fake-api';
import { epoch, runDetail, runSummary, searchMetrics } from '../testing/samples';
import { RELOAD_DELAY_MS } from './debounce';
import { connectEvents } from './events';
import { useJobsStore } from './jobs';
import { useRunStore } from './run';
import { useRunsStore } from './runs';
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
