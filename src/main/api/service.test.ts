import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { retrainConfig } from '../../shared/retrain-config';
import { PUBLISHED_GENOTYPES } from '../../shared/published-genotypes';
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

  it("gives the doctor's findings of this machine once, validated by the contract", async () => {
    const { call } = setup();
    const first = await call('system/doctor');
    expect(first.ok).toBe(true);
    const d = (first as { result: { backends: { name: string; loads: boolean }[]; auto: string; summary: string[] } }).result;
    // Here: wasm and cpu load, tfjs-node-gpu is absent, so auto picks wasm and the summary says why.
    expect(d.backends.filter((b) => b.loads).map((b) => b.name)).toEqual(['wasm', 'cpu']);
    expect(d.auto).toMatch(/^wasm \(/);
    expect(d.summary.join('\n')).toMatch(/tfjs-node-gpu is not installed/);
    expect(await call('system/doctor')).toEqual(first);
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

/** A finished retrain of DARTS_V2 with one epoch, its result, and the files its folder holds. */
function finishedRetrain(store: Store, dir: string) {
  const config = retrainConfig({ genotype: structuredClone(PUBLISHED_GENOTYPES.DARTS_V2) as never, genotypeName: 'DARTS_V2', cells: 3, channels: 4, data: { dataset: 'synthetic' } });
  const folder = path.join(dir, 'runs', 'retrain-x');
  fs.mkdirSync(folder, { recursive: true });
  const run = store.runs.create({ kind: 'retrain', config, dataset: 'synthetic', seed: 0, backendChoice: 'cpu', epochsPlanned: 1, codeVersion: 'test', name: 'tiny retrain', folder: () => folder });
  store.runs.transition(run.id, 'running', { pid: 4243, device: { backend: 'cpu', device: 'CPU (plain JavaScript)', deviceKind: 'cpu' } });
  const metrics = { epoch: 0, lr: 0.025, dropPathProb: 0, trainLoss: 1.4, trainAcc: 0.3, testLoss: 1.5, testTop1Error: 0.75, testTop5Error: 0.1, steps: 2, images: 16, testImages: 16, seconds: 3 };
  store.epochs.record(run.id, { ...metrics, metrics });
  const g = store.genotypes.add({ method: 'imported', name: 'DARTS_V2', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
  store.results.save({ runId: run.id, genotypeId: g.id, top1Error: 0.75, top5Error: 0.1, perClassAccuracy: [1, 0, 0, 0], confusion: [[4, 0, 0, 0], [4, 0, 0, 0], [4, 0, 0, 0], [4, 0, 0, 0]], params: 2468, madds: 90368 });
  fs.writeFileSync(path.join(folder, 'evaluation.json'), JSON.stringify({ epoch: 0, classNames: ['a', 'b', 'c', 'd'], images: 16, loss: 1.5, top1Error: 0.75, top5Error: 0.1, perClassAccuracy: [1, 0, 0, null], confusion: [[4, 0, 0, 0], [4, 0, 0, 0], [4, 0, 0, 0], [0, 0, 0, 0]], seconds: 1 }));
  fs.writeFileSync(path.join(folder, 'network.json'), JSON.stringify({ parameters: 2468, parametersWithAuxiliary: 2468, multiplyAdds: 90368, inputShape: [32, 32, 3], numClasses: 10 }));
  store.runs.transition(run.id, 'completed');
  return run.id;
}

describe('the API service, part 2: spaces, genotypes, counts, retrains, comparison', () => {
  it('saves a user space by the shared schema, refuses the presets’ names, deletes it', async () => {
    const { call } = setup();
    const saved = await call('spaces/save', { space: { name: 'mine', ops: ['sep_conv_3x3', 'none', 'skip_connect'], nodes: 2, cells: 5, channels: 8 } });
    // Catalogue order, as α columns need.
    expect(saved).toEqual({ ok: true, result: { name: 'mine', ops: ['none', 'skip_connect', 'sep_conv_3x3'], nodes: 2, cells: 5, channels: 8, builtin: false } });
    const odd = await call('spaces/save', { space: { name: 'odd', channels: 15 } });
    expect(odd).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ path: 'space.channels', message: expect.stringMatching(/even/) }] } });
    expect(await call('spaces/save', { space: { name: 'S2', ops: ['skip_connect'] } })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const list = await call('spaces/list');
    expect(list.ok && (list.result as { name: string }[]).map((s) => s.name)).toEqual(['S1', 'S2', 'S3', 'mine']);
    expect(await call('spaces/delete', { name: 'S1' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await call('spaces/delete', { name: 'mine' })).toEqual({ ok: true, result: { name: 'mine' } });
    expect(await call('spaces/delete', { name: 'mine' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('counts a supernet and a genotype\'s network as the DARTS code does (DARTS_V2 at 20 cells × 36 is 3.3M)', async () => {
    const { call } = setup();
    const net = await call('counts/network', { genotype: 'DARTS_V2', cells: 20, channels: 36 });
    if (!net.ok) throw new Error(net.error.message);
    const n = net.result as { parameters: number; inputShape: number[]; numClasses: number; multiplyAdds: number };
    expect((n.parameters / 1e6).toFixed(1)).toBe('3.3');
    expect(n.inputShape).toEqual([32, 32, 3]);
    expect(n.numClasses).toBe(10);
    // The same cell pasted as text counts the same.
    expect(await call('counts/network', { genotype: DARTS_V2_TEXT, cells: 20, channels: 36 })).toMatchObject({ ok: true, result: { parameters: n.parameters } });
    const bad = await call('counts/network', { genotype: "Genotype(normal=[('sep_conv_3x3', 0), ('nope', 1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])", cells: 8, channels: 16 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ path: 'genotype', message: expect.stringMatching(/line 1, column \d+.*nope/) }] } });
    const small = await call('counts/supernet', { space: { name: 'x', ops: ['none', 'skip_connect', 'sep_conv_3x3'], nodes: 2, cells: 2, channels: 4 } });
    const big = await call('counts/supernet', { space: { name: 'y', ops: ['none', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5'], nodes: 2, cells: 2, channels: 4 } });
    if (!small.ok || !big.ok) throw new Error('counts failed');
    const [a, b] = [small.result, big.result] as { parameters: number; multiplyAdds: number }[];
    expect(b!.parameters).toBeGreaterThan(a!.parameters);
    expect(b!.multiplyAdds).toBeGreaterThan(a!.multiplyAdds);
    // Sized by the demo dataset's images (32×32×3, 10 classes) it is the default size.
    expect(await call('counts/supernet', { space: { name: 'x', ops: ['none', 'skip_connect', 'sep_conv_3x3'], nodes: 2, cells: 2, channels: 4 }, dataset: 'synthetic' })).toEqual(small);
    expect(await call('counts/supernet', { space: { name: 'x' }, dataset: 'nowhere' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    // The auxiliary head does not fit 4×4 images (1×1 after cell 2L/3): the engine's reason, as a field the form can fix.
    expect(await call('counts/network', { genotype: 'DARTS_V2', cells: 20, channels: 36, auxiliary: true, inputShape: [4, 4, 3] })).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringMatching(/auxiliary head needs a feature map of at least/) },
    });
  });

  it('validates a retrain before queueing it: the genotype where it is wrong, config fields by path', async () => {
    const { call, runner } = setup();
    const bad = await call('jobs/submit', { spec: { kind: 'retrain', genotype: 'DARTS_V9', config: {} } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ path: 'genotype' }] } });
    const fields = await call('jobs/submit', { spec: { kind: 'retrain', genotype: 'DARTS_V2', config: { channels: 5, optim: { lr: 0.001, lrMin: 0.01 } } } });
    expect(!fields.ok && fields.error.issues?.map((i) => i.path).sort()).toEqual(['config.channels', 'config.optim.lrMin']);
    expect(await call('jobs/submit', { spec: { kind: 'retrain', genotype: 'DARTS_V2', config: {}, parentId: 99 } })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(runner.calls).toHaveLength(0);
    expect(await call('jobs/submit', { spec: { kind: 'retrain', genotype: 'DARTS_V2', config: { cells: 3, channels: 4 } } })).toMatchObject({ ok: true, result: { status: 'queued' } });
    expect(runner.calls).toHaveLength(1);
  });

  it('returns a retrain with its result, the latest evaluation and the network counts from its folder', async () => {
    const { call } = setup();
    const id = finishedRetrain(t.store, t.dir);
    const res = await call('runs/get', { id });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.result).toMatchObject({
      result: { top1Error: 0.75, top5Error: 0.1, perClassAccuracy: [1, 0, 0, 0], params: 2468, madds: 90368 },
      evaluation: { epoch: 0, classNames: ['a', 'b', 'c', 'd'], perClassAccuracy: [1, 0, 0, null] },
      network: { parameters: 2468, multiplyAdds: 90368, inputShape: [32, 32, 3] },
    });
    // A search has none of these.
    const search = await call('runs/get', { id: finishedSearch(t.store) });
    expect(search).toMatchObject({ ok: true, result: { result: null, evaluation: null, network: null } });
  });

  it('lists every genotype with its run, newest first', async () => {
    const { call } = setup();
    const searchId = finishedSearch(t.store);
    finishedRetrain(t.store, t.dir);
    const res = await call('genotypes/list');
    if (!res.ok) throw new Error(res.error.message);
    const list = res.result as { id: number; runId: number | null; runName: string | null; method: string }[];
    expect(list.map((g) => [g.method, g.runId, g.runName])).toEqual([
      ['imported', null, null],
      ['value', searchId, 'done'],
    ]);
    expect(list[0]!.id).toBeGreaterThan(list[1]!.id);
  });

  it('compares a search and a retrain: scalar curves (test accuracy from the error), genotypes, the table figures', async () => {
    const { call } = setup();
    const run = t.store.runs.create({ kind: 'search', config: sampleSearchConfig({ data: { dataset: 'synthetic' } }), codeVersion: 'test', name: 'synthetic search' });
    t.store.runs.transition(run.id, 'running', { pid: 1, device: { backend: 'cpu', device: 'CPU', deviceKind: 'cpu' } });
    for (const e of [0, 1]) t.store.epochs.recordSearch(run.id, sampleSearchMetrics(e));
    t.store.genotypes.add({ runId: run.id, method: 'value', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
    t.store.runs.transition(run.id, 'completed');
    const retrainId = finishedRetrain(t.store, t.dir);
    const res = await call('runs/compare', { ids: [run.id, retrainId, run.id] });
    if (!res.ok) throw new Error(res.error.message);
    const [s, r] = res.result as { run: { id: number }; epochs: { valAcc: number | null; testAcc: number | null }[]; genotype: { text: string } | null; figures: Record<string, unknown> }[];
    expect(s!.run.id).toBe(run.id);
    expect(s!.epochs).toHaveLength(2);
    expect(s!.figures).toMatchObject({ accuracy: 'val', best: Math.max(...[0, 1].map((e) => sampleSearchMetrics(e).valAcc)), final: sampleSearchMetrics(1).valAcc });
    expect((s!.figures.network as { parameters: number }).parameters).toBeGreaterThan(3e6);
    expect(s!.figures.networkNote).toMatch(/20 cells × 36 channels, 32×32×3/);
    expect((s!.figures.supernet as { parameters: number }).parameters).toBeGreaterThan((s!.figures.network as { parameters: number }).parameters / 10);
    expect(r!.epochs[0]!.testAcc).toBeCloseTo(0.25);
    expect(r!.figures).toMatchObject({ accuracy: 'test', best: 0.25, final: 0.25, network: { parameters: 2468 }, supernet: null });
    expect(r!.genotype!.text).toBe(DARTS_V2_TEXT);
    expect(await call('runs/compare', { ids: [] })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await call('runs/compare', { ids: [424242] })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
