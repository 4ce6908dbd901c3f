import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidTransitionError, NotFoundError } from '../errors';
import { sampleSearchConfig, sampleSearchMetrics } from '../testing/fixtures';
import { useTempStore } from '../testing/temp-store';
import { RUN_STATUSES, type NewRun, type RunStatus } from './run';
import { RESUMABLE, RUN_TRANSITIONS, canTransition, isFinal } from './status';

const t = useTempStore();
const CODE = '0.1.0+abc1234';

const newSearch = (over: Partial<NewRun> = {}): NewRun => ({ kind: 'search', config: sampleSearchConfig(), codeVersion: CODE, ...over }) as NewRun;

/** Drive a fresh run to `status` along a legal path. */
function runAt(status: RunStatus): number {
  const { runs } = t.store;
  const id = runs.create(newSearch()).id;
  const path: Record<RunStatus, [RunStatus, string?][]> = {
    queued: [],
    running: [['running']],
    completed: [['running'], ['completed']],
    failed: [['running'], ['failed', 'NaN loss at step 12']],
    cancelled: [['running'], ['cancelled', 'cancelled by the user']],
    interrupted: [['running'], ['interrupted', 'process gone']],
  };
  for (const [to, error] of path[status]) runs.transition(id, to, { pid: 4242, error });
  return id;
}

describe('runs: create and read', () => {
  it('creates a search run from its validated config, with derived columns, default name and folder', () => {
    const config = sampleSearchConfig({ space: { name: 'S2', ops: ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3'] } });
    const run = t.store.runs.create({ kind: 'search', config, codeVersion: CODE, folder: (id) => `/home/runs/${id}` });
    expect(run).toMatchObject({
      kind: 'search',
      name: `search #${run.id}`,
      parentId: null,
      dataset: 'cifar10',
      space: 'S2',
      seed: 7,
      epochsPlanned: 50,
      backendChoice: 'auto',
      backend: null,
      status: 'queued',
      pid: null,
      folder: `/home/runs/${run.id}`,
      codeVersion: CODE,
      createdAt: '2026-11-29T12:00:00.000Z',
      queuedAt: '2026-11-29T12:00:00.000Z',
      startedAt: null,
      finishedAt: null,
    });
    expect(run.config).toEqual(config);
    expect(t.store.runs.get(run.id)).toEqual(run);
    expect(t.store.runs.get(run.id + 100)).toBeUndefined();
    expect(() => t.store.runs.require(run.id + 100)).toThrow(NotFoundError);
  });

  it('creates other kinds with explicit fields and a parent', () => {
    const search = t.store.runs.create(newSearch({ name: 'my search' }));
    expect(search.name).toBe('my search');
    const retrain = t.store.runs.create({
      kind: 'retrain',
      parentId: search.id,
      config: { epochs: 600, genotypeId: 3, cutout: 16 },
      dataset: 'cifar10',
      seed: 0,
      backendChoice: 'tensorflow',
      epochsPlanned: 600,
      codeVersion: CODE,
      folder: '/tmp/x',
    });
    expect(retrain).toMatchObject({ kind: 'retrain', parentId: search.id, space: null, backendChoice: 'tensorflow', folder: '/tmp/x', config: { epochs: 600, genotypeId: 3, cutout: 16 } });
    expect(t.store.runs.list({ parentId: search.id }).map((r) => r.id)).toEqual([retrain.id]);
  });

  it('refuses an invalid search config, leaving no row', () => {
    const bad = { ...sampleSearchConfig(), epochs: 0 };
    expect(() => t.store.runs.create({ kind: 'search', config: bad, codeVersion: CODE })).toThrow(InvalidInputError);
    expect(t.store.runs.list()).toEqual([]);
  });

  it('renames, sets folder and device', () => {
    const id = runAt('running');
    t.store.runs.rename(id, 'S3 seed 2');
    t.store.runs.setFolder(id, '/r/1');
    t.store.runs.setDevice(id, { backend: 'tensorflow', device: 'NVIDIA H200', deviceKind: 'gpu' });
    expect(t.store.runs.get(id)).toMatchObject({ name: 'S3 seed 2', folder: '/r/1', backend: 'tensorflow', device: 'NVIDIA H200', deviceKind: 'gpu' });
    expect(() => t.store.runs.rename(id, ' ')).toThrow(InvalidInputError);
    expect(() => t.store.runs.setFolder(999, '/x')).toThrow(NotFoundError);
  });
});

describe('runs: list with summaries', () => {
  it('summarises epochs: best val acc, last zero-ratio, epochs done, compute and wall time', () => {
    const { runs, epochs } = t.store;
    const a = runs.create(newSearch({ name: 'a' })).id;
    const b = runs.create(newSearch({ name: 'b' })).id;
    runs.transition(a, 'running', { pid: 11 });
    const ms = [0, 1, 2].map((e) => sampleSearchMetrics(e));
    ms[1]!.valAcc = 0.9; // best is not the last
    for (const m of ms) epochs.recordSearch(a, m);
    t.clock.now += 90_000;

    const [sb, sa] = runs.list();
    expect(sb!.id).toBe(b); // newest first
    expect(sb).toMatchObject({ epochsDone: 0, lastEpoch: null, bestValAcc: null, trainSeconds: 0, elapsedSeconds: null, lastZeroRatio: { normal: null, reduce: null } });
    expect(sa).toMatchObject({ id: a, epochsDone: 3, lastEpoch: 2, bestValAcc: 0.9, lastValAcc: ms[2]!.valAcc, elapsedSeconds: 90 });
    expect(sa!.lastZeroRatio).toEqual(ms[2]!.zeroRatio);
    expect(sa!.trainSeconds).toBeCloseTo(ms.reduce((s, m) => s + m.seconds, 0), 9);

    runs.transition(a, 'completed');
    t.clock.now += 1_000_000;
    expect(runs.summary(a)!.elapsedSeconds).toBe(90); // frozen at finish
  });

  it('filters by kind, status (one or several), dataset, and pages', () => {
    const { runs } = t.store;
    const q = runAt('queued');
    const r = runAt('running');
    const c = runAt('completed');
    const other = runs.create({ kind: 'evaluate', config: {}, dataset: 'mnist', seed: 1, backendChoice: 'cpu', codeVersion: CODE }).id;
    expect(runs.list({ status: 'running' }).map((x) => x.id)).toEqual([r]);
    expect(runs.list({ status: ['queued', 'completed'] }).map((x) => x.id)).toEqual([other, c, q]);
    expect(runs.list({ kind: 'evaluate' }).map((x) => x.id)).toEqual([other]);
    expect(runs.list({ dataset: 'mnist' }).map((x) => x.id)).toEqual([other]);
    expect(runs.list({ limit: 2 }).map((x) => x.id)).toEqual([other, c]);
    expect(runs.list({ limit: 2, offset: 2 }).map((x) => x.id)).toEqual([r, q]);
  });

  it('keeps the queue in the order runs entered it', () => {
    const { runs } = t.store;
    const first = runAt('queued');
    t.clock.now += 1;
    const interrupted = runAt('interrupted');
    t.clock.now += 1;
    const second = runAt('queued');
    t.clock.now += 1;
    runs.transition(interrupted, 'queued'); // a resume waits behind the others
    expect(runs.queued().map((r) => r.id)).toEqual([first, second, interrupted]);
  });
});

describe('runs: status transitions', () => {
  // The life cycle written out by hand (PRODUCT.md §4 and the job runner), not read from RUN_TRANSITIONS:
  // a queued run starts, is cancelled, or cannot start; a running one ends one of four ways; an interrupted
  // or cancelled one resumes (now or later), and an interrupted one may be given up or found unresumable.
  const LEGAL = [
    'queued → running',
    'queued → cancelled',
    'queued → failed',
    'running → completed',
    'running → failed',
    'running → cancelled',
    'running → interrupted',
    'interrupted → running',
    'interrupted → queued',
    'interrupted → cancelled',
    'interrupted → failed',
    'cancelled → running',
    'cancelled → queued',
  ];
  const STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;

  it('knows exactly the six statuses', () => {
    expect([...RUN_STATUSES].sort()).toEqual([...STATUSES].sort());
  });

  it('allows exactly the hand-written transitions and refuses every other pair, leaving the run as it was', () => {
    const allowed: string[] = [];
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        const pair = `${from} → ${to}`;
        const id = runAt(from);
        const attempt = () => t.store.runs.transition(id, to, { pid: 77, error: 'reason' });
        if (LEGAL.includes(pair)) {
          expect(attempt().status, pair).toBe(to);
          allowed.push(pair);
        } else {
          expect(attempt, pair).toThrow(InvalidTransitionError);
          expect(attempt, pair).toThrow(`is ${from}; it cannot become ${to}`);
          expect(t.store.runs.get(id)!.status, pair).toBe(from);
        }
        expect(canTransition(from, to), pair).toBe(LEGAL.includes(pair));
      }
    }
    expect(allowed.sort()).toEqual([...LEGAL].sort());
  });

  it('refuses the transitions a slip would most likely allow', () => {
    for (const [from, to] of [
      ['queued', 'completed'],
      ['queued', 'interrupted'],
      ['completed', 'running'],
      ['completed', 'queued'],
      ['failed', 'running'],
      ['failed', 'queued'],
      ['cancelled', 'completed'],
      ['cancelled', 'interrupted'],
      ['interrupted', 'completed'],
      ['running', 'queued'],
    ] as const) {
      expect(() => t.store.runs.transition(runAt(from), to, { pid: 77, error: 'reason' }), `${from} → ${to}`).toThrow(InvalidTransitionError);
    }
  });

  it('makes completed and failed final, and lets interrupted and cancelled resume', () => {
    expect(RUN_TRANSITIONS.completed).toEqual([]);
    expect(RUN_TRANSITIONS.failed).toEqual([]);
    expect(RUN_STATUSES.filter(isFinal)).toEqual(['completed', 'failed']);
    expect(RESUMABLE).toEqual(['interrupted', 'cancelled']);
    for (const s of RESUMABLE) expect(canTransition(s, 'running') && canTransition(s, 'queued')).toBe(true);
    expect(() => t.store.runs.transition(runAt('completed'), 'running', { pid: 1 })).toThrow(/is completed; it cannot become running/);
  });

  it('stamps times, pid, error and device along the way; a resume keeps the first start', () => {
    const { runs } = t.store;
    const id = runs.create(newSearch()).id;
    t.clock.now += 1000;
    let run = runs.transition(id, 'running', { pid: 100, device: { backend: 'cpu', device: 'x86_64', deviceKind: 'cpu' } });
    expect(run).toMatchObject({ status: 'running', pid: 100, startedAt: '2026-11-29T12:00:01.000Z', finishedAt: null, backend: 'cpu', deviceKind: 'cpu' });
    t.clock.now += 1000;
    run = runs.transition(id, 'interrupted', { error: 'killed' });
    expect(run).toMatchObject({ status: 'interrupted', pid: null, error: 'killed', finishedAt: '2026-11-29T12:00:02.000Z' });
    t.clock.now += 1000;
    run = runs.transition(id, 'running', { pid: 101 });
    expect(run).toMatchObject({ status: 'running', pid: 101, error: null, finishedAt: null, startedAt: '2026-11-29T12:00:01.000Z', backend: 'cpu' });
    run = runs.transition(id, 'completed', { error: 'ignored' });
    expect(run).toMatchObject({ status: 'completed', error: null, pid: null });
  });

  it('requires a pid to run and a reason to fail or be interrupted; unknown runs are NotFound', () => {
    const id = runAt('queued');
    expect(() => t.store.runs.transition(id, 'running')).toThrow(/without the pid/);
    const r = runAt('running');
    expect(() => t.store.runs.transition(r, 'failed')).toThrow(/without a reason/);
    expect(() => t.store.runs.transition(r, 'interrupted')).toThrow(/without a reason/);
    expect(() => t.store.runs.transition(12345, 'cancelled')).toThrow(NotFoundError);
    expect(() => t.store.runs.transition(r, 'bogus' as RunStatus)).toThrow(InvalidInputError);
  });

  it('is atomic across connections: two resumes of one run, only one wins', () => {
    const id = runAt('interrupted');
    const other = t.open();
    expect(t.store.runs.transition(id, 'running', { pid: 1 }).pid).toBe(1);
    expect(() => other.runs.transition(id, 'running', { pid: 2 })).toThrow(InvalidTransitionError);
    expect(other.runs.get(id)!.pid).toBe(1);
  });
});

describe('runs: reconcile', () => {
  it('marks running runs whose process is gone as interrupted, with the reason and last sign of life', () => {
    const { runs, epochs } = t.store;
    const dead = runAt('running'); // pid 4242
    const alive = runs.create(newSearch()).id;
    runs.transition(alive, 'running', { pid: 5555 });
    const done = runAt('completed');
    t.clock.now += 60_000;
    epochs.recordSearch(dead, sampleSearchMetrics(0));
    const lastSeen = t.clock.now;
    t.clock.now += 3_600_000;

    const asked: number[] = [];
    const found = runs.reconcile(({ job }) => {
      asked.push(job!.pid);
      return job!.pid === 5555;
    });
    expect(asked.sort()).toEqual([4242, 5555]);
    expect(found).toEqual([{ id: dead, pid: 4242, reason: expect.stringContaining('process 4242 is gone') }]);
    const d = runs.get(dead)!;
    expect(d).toMatchObject({ status: 'interrupted', pid: null, finishedAt: new Date(lastSeen).toISOString() });
    expect(d.error).toContain(new Date(lastSeen).toISOString());
    expect(runs.get(alive)).toMatchObject({ status: 'running', pid: 5555 });
    expect(runs.get(done)!.status).toBe('completed');
    // Idempotent, and the interrupted run can resume.
    expect(runs.reconcile(() => false).map((r) => r.id)).toEqual([alive]);
    expect(runs.reconcile(() => false)).toEqual([]);
    expect(runs.transition(dead, 'running', { pid: 6000 }).status).toBe('running');
  });

  it('keeps the job and runner processes while running, hands them to the liveness check, and clears them on stopping', () => {
    const { runs } = t.store;
    const id = runs.create(newSearch()).id;
    expect(runs.processes(id)).toBeUndefined(); // not running
    runs.transition(id, 'running', { pid: 300, pidStart: 'linux:b:1234', runner: { pid: 200, start: 'linux:b:1000' } });
    expect(runs.processes(id)).toEqual({ id, job: { pid: 300, start: 'linux:b:1234' }, runner: { pid: 200, start: 'linux:b:1000' } });
    const seen: unknown[] = [];
    expect(runs.reconcile((p) => (seen.push(p), true))).toEqual([]);
    expect(seen).toEqual([{ id, job: { pid: 300, start: 'linux:b:1234' }, runner: { pid: 200, start: 'linux:b:1000' } }]);
    const found = runs.reconcile(() => false);
    expect(found).toEqual([{ id, pid: 300, reason: expect.stringContaining('process 300 is gone and so is the runner that recorded it (process 200)') }]);
    expect(runs.processes(id)).toBeUndefined();
    // A resume records its new processes; one without a runner (an older caller) keeps null there.
    runs.transition(id, 'running', { pid: 301 });
    expect(runs.processes(id)).toEqual({ id, job: { pid: 301, start: null }, runner: null });
    runs.transition(id, 'cancelled');
    runs.transition(id, 'queued');
    const raw = new Database(t.dbPath, { readonly: true });
    expect(raw.prepare('SELECT pid, pid_start, runner_pid, runner_start FROM runs WHERE id = ?').get(id)).toEqual({ pid: null, pid_start: null, runner_pid: null, runner_start: null });
    raw.close();
  });

  it('leaves a run alone when a new process took it over between the check and the write', () => {
    const { runs } = t.store;
    const id = runs.create(newSearch()).id;
    runs.transition(id, 'running', { pid: 400, pidStart: 'old' });
    const other = t.open();
    const found = runs.reconcile(() => {
      // Another connection records the run as stopped and started again, same pid, a new process.
      other.runs.transition(id, 'interrupted', { error: 'x' });
      other.runs.transition(id, 'running', { pid: 400, pidStart: 'new' });
      return false;
    });
    expect(found).toEqual([]);
    expect(runs.processes(id)).toEqual({ id, job: { pid: 400, start: 'new' }, runner: null });
  });
});

describe('runs: remove', () => {
  it('deletes a run with its epochs, checkpoints and genotypes; refuses a running one', () => {
    const { runs, epochs, checkpoints, genotypes } = t.store;
    const id = runAt('completed');
    const child = runs.create(newSearch({ parentId: id })).id;
    epochs.recordSearch(id, sampleSearchMetrics(0));
    checkpoints.add(id, { epoch: 0, path: '/c/0', bytes: 1, sha256: 'a'.repeat(64) });
    runs.remove(id);
    expect(runs.get(id)).toBeUndefined();
    expect(epochs.list(id)).toEqual([]);
    expect(checkpoints.list(id)).toEqual([]);
    expect(genotypes.listByRun(id)).toEqual([]);
    expect(runs.get(child)!.parentId).toBeNull();
    expect(() => runs.remove(runAt('running'))).toThrow(/is running/);
    expect(() => runs.remove(999)).toThrow(NotFoundError);
  });
});
