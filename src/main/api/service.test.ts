import { describe, expect, it } from 'vitest';
import type { ApiEventName } from '../../shared/api/events';
import type { JobEvent, JobSpec } from '../../shared/jobs';
import { DARTS_V2, DARTS_V2_TEXT, fakeSha256, sampleSearchConfig, sampleSearchMetrics } from '../store/testing/fixtures';
import { useTempStore } from '../store/testing/temp-store';
import type { Store } from '../store';
import { dispatch } from './dispatch';
import type { JobRunnerPort } from './job-runner-port';
import { createApiService } from './service';

/** A runner that records calls and creates the run rows the real one would. */
class FakeRunner implements JobRunnerPort {
  readonly calls: { op: string; arg: unknown }[] = [];
  private readonly listeners = new Set<(e: JobEvent) => void>();
  constructor(private readonly store: () => Store) {}
  async submit(spec: JobSpec): Promise<number> {
    this.calls.push({ op: 'submit', arg: spec });
    const run =
      spec.kind === 'search'
        ? this.store().runs.create({ kind: 'search', config: sampleSearchConfig(spec.config), codeVersion: 'test' })
        : this.store().runs.create({ kind: spec.kind, config: spec, dataset: 'cifar10', seed: 1, backendChoice: 'cpu', codeVersion: 'test', parentId: spec.kind === 'discretize' ? spec.searchRunId : null });
    this.emit({ type: 'status', runId: run.id, status: 'queued' });
    return run.id;
  }
  async cancel(runId: number) {
    this.calls.push({ op: 'cancel', arg: runId });
  }
  async resume(runId: number) {
    this.calls.push({ op: 'resume', arg: runId });
  }
  onEvent(l: (e: JobEvent) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(e: JobEvent) {
    for (const l of this.listeners) l(e);
  }
}

const t = useTempStore();

function setup(opts: { listDatasets?: () => Promise<never[]> } = {}) {
  const runner = new FakeRunner(() => t.store);
  const eventErrors: string[] = [];
  const service = createApiService({
    store: t.store,
    runner,
    home: t.dir,
    mode: 'browser',
    maxConcurrent: 2,
    version: '9.9.9',
    listDatasets: opts.listDatasets ?? (async () => []),
    onEventError: (e, m) => eventErrors.push(`${e}: ${m}`),
  });
  const events: { event: ApiEventName; payload: unknown }[] = [];
  service.onEvent((event, payload) => events.push({ event, payload }));
  const call = (channel: string, payload?: unknown) => dispatch(service.handlers, channel, payload);
  return { runner, service, events, eventErrors, call };
}

/** A finished search with two epochs, checkpoints after each, and a genotype. */
function finishedSearch(store: Store) {
  const run = store.runs.create({ kind: 'search', config: sampleSearchConfig({ nodeNormalization: false }), codeVersion: 'test', name: 'done' });
  store.runs.transition(run.id, 'running', { pid: 4242, device: { backend: 'wasm', device: 'CPU (WebAssembly, XNNPACK)', deviceKind: 'cpu' } });
  const ckpts = [0, 1].map((e) => {
    store.epochs.recordSearch(run.id, sampleSearchMetrics(e));
    return store.checkpoints.add(run.id, { epoch: e, path: `/runs/${run.id}/ckpt-${e}`, bytes: 100, sha256: fakeSha256(`c${e}`) });
  });
  store.genotypes.add({ runId: run.id, checkpointId: ckpts[1]!.id, method: 'value', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
  store.runs.transition(run.id, 'completed');
  return run.id;
}

describe('the API service over a real store', () => {
  it('lists runs as contract DTOs: method flag, no process id', async () => {
    const { call } = setup();
    const id = finishedSearch(t.store);
    const res = await call('runs/list', { kind: 'search' });
    expect(res.ok).toBe(true);
    const [run] = (res as { result: Record<string, unknown>[] }).result;
    expect(run).toMatchObject({ id, status: 'completed', nodeNormalization: false, backend: 'wasm', epochsDone: 2, dataset: 'cifar10', space: 'S1' });
    expect(run).not.toHaveProperty('pid');
  });

  it('returns a run with epochs (metrics), checkpoints and genotypes', async () => {
    const { call } = setup();
    const id = finishedSearch(t.store);
    const res = await call('runs/get', { id });
    if (!res.ok) throw new Error(res.error.message);
    const d = res.result as { epochs: { metrics: { alphaSoftmax: { normal: number[][] } } }[]; checkpoints: unknown[]; genotypes: { text: string }[] };
    expect(d.epochs).toHaveLength(2);
    expect(d.epochs[0]!.metrics.alphaSoftmax.normal).toHaveLength(14);
    expect(d.checkpoints).toHaveLength(2);
    expect(d.genotypes[0]!.text).toBe(DARTS_V2_TEXT);
  });

  it('answers not-found, and invalid requests with the field at fault', async () => {
    const { call } = setup();
    expect(await call('runs/get', { id: 77 })).toEqual({ ok: false, error: { code: 'not-found', message: 'No run #77 in the store.' } });
    const bad = await call('runs/get', { id: 'seven' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('invalid');
    expect(!bad.ok && bad.error.issues?.[0]?.path).toBe('id');
    expect(await call('runs/delete', {})).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('validates a search config before queueing it, naming the fields', async () => {
    const { call, runner } = setup();
    const res = await call('jobs/submit', { spec: { kind: 'search', config: { space: { channels: 5 }, w: { lr: 0.001, lrMin: 0.01 } } } });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('invalid');
    expect(res.error.issues?.map((i) => i.path).sort()).toEqual(['config.space.channels', 'config.w.lrMin']);
    expect(runner.calls).toHaveLength(0);
  });

  it('submits a search, and tells listeners about the queue', async () => {
    const { call, runner, events } = setup();
    const res = await call('jobs/submit', { spec: { kind: 'search', name: 'mine', config: { epochs: 3 } } });
    expect(res).toMatchObject({ ok: true, result: { status: 'queued' } });
    expect(runner.calls[0]).toMatchObject({ op: 'submit', arg: { kind: 'search', name: 'mine' } });
    expect(events.map((e) => e.event)).toEqual(['job', 'queue', 'queue']);
    const queue = events[1]!.payload as { queued: { runId: number }[]; maxConcurrent: number };
    expect(queue.maxConcurrent).toBe(2);
    expect(queue.queued).toHaveLength(1);
  });

  it('refuses to cancel a finished run or resume a running one, with the reason', async () => {
    const { call, runner } = setup();
    const id = finishedSearch(t.store);
    const res = await call('jobs/cancel', { runId: id });
    expect(res).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!res.ok && res.error.message).toMatch(/is completed; only queued or running runs can be cancelled/);
    expect(runner.calls).toHaveLength(0);
    const queued = t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 'test' });
    expect(await call('jobs/cancel', { runId: queued.id })).toMatchObject({ ok: true, result: { runId: queued.id } });
    expect(await call('jobs/resume', { runId: queued.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(runner.calls).toEqual([{ op: 'cancel', arg: queued.id }]);
  });

  it('discretizes a checkpoint named by completed epochs, refusing one that does not exist', async () => {
    const { call, runner } = setup();
    const id = finishedSearch(t.store);
    expect(await call('jobs/discretize', { searchRunId: id, checkpoint: 5, method: 'value' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const res = await call('jobs/discretize', { searchRunId: id, checkpoint: 2, method: 'decorrelation' });
    expect(res.ok).toBe(true);
    expect(runner.calls).toEqual([{ op: 'submit', arg: { kind: 'discretize', searchRunId: id, checkpoint: 2, method: 'decorrelation' } }]);
    const fresh = t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 'test' });
    expect(await call('jobs/discretize', { searchRunId: fresh.id, method: 'value' })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/no valid checkpoint/) } });
  });

  it('forwards runner events, keeps progress for the queue, and drops events that break the contract', async () => {
    const { runner, events, eventErrors, call } = setup();
    const run = t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 'test' });
    t.store.runs.transition(run.id, 'running', { pid: 99 });
    runner.emit({ type: 'progress', runId: run.id, progress: { epoch: 0, step: 3, stepsPerEpoch: 10, epochs: 2, loss: Number.NaN, elapsed: 4, eta: 20 } });
    runner.emit({ type: 'epoch', runId: run.id, epoch: 0, metrics: sampleSearchMetrics(0) });
    runner.emit({ type: 'status', runId: run.id, status: 'bogus' as never });
    expect(eventErrors).toHaveLength(1);
    const job = events.filter((e) => e.event === 'job').map((e) => e.payload as { type: string; progress?: { loss: unknown } });
    expect(job.map((e) => e.type)).toEqual(['progress', 'epoch']);
    expect(job[0]!.progress!.loss).toBeNull();
    const q = await call('jobs/queue');
    expect(q).toMatchObject({ ok: true, result: { running: [{ runId: run.id, progress: { step: 3 } }] } });
  });

  it('reports the backend and device really in use: a running job first, else the newest run', async () => {
    const { call, runner } = setup();
    const id = finishedSearch(t.store);
    expect(await call('system/info')).toMatchObject({ ok: true, result: { mode: 'browser', app: { version: '9.9.9' }, compute: { backend: 'wasm', runId: id, source: 'last-run', kind: 'cpu' } } });
    const run = t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 'test' });
    t.store.runs.transition(run.id, 'running', { pid: 99 });
    runner.emit({ type: 'backend', runId: run.id, backend: { backend: 'webgl', device: 'SwiftShader', kind: 'software', notes: ['software rasteriser'] } });
    expect(await call('system/info')).toMatchObject({ ok: true, result: { compute: { backend: 'webgl', kind: 'software', runId: run.id, source: 'running' } } });
  });

  it('lists datasets with the demo one, and the paper spaces', async () => {
    const { call } = setup();
    expect(await call('datasets/list')).toMatchObject({ ok: true, result: [{ name: 'synthetic', cached: false }] });
    const spaces = await call('spaces/list');
    expect(spaces.ok && (spaces.result as { name: string }[]).map((s) => s.name)).toEqual(['S1', 'S2', 'S3']);
  });

  it('stops forwarding after dispose', () => {
    const { runner, service, events } = setup();
    service.dispose();
    runner.emit({ type: 'log', runId: 1, level: 'info', message: 'x' });
    expect(events).toHaveLength(0);
  });
});
