// Real child processes and a real SQLite file: kill, reconcile, resume, cancel, queue, corrupt checkpoints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/shared/jobs';
import { JobRunner } from '../../src/main/jobs/job-runner';
import { sha256 } from '../../src/main/jobs/run-folder';
import { readSearchCheckpoint } from '../../src/main/nas/search-state';
import { openStore, type Store } from '../../src/main/store';
import { homePaths } from '../../src/main/store/home';

const tinySearch = {
  space: { ops: ['none', 'skip_connect', 'sep_conv_3x3'], cells: 2, channels: 4, nodes: 2 },
  epochs: 3,
  batchSize: 8,
  stepsPerEpoch: 3,
  alpha: { freezeEpochs: 0 },
  backend: 'cpu',
  data: { dataset: 'synthetic', discretizeImages: 16 },
};

let home: string;
let store: Store;
let runner: JobRunner;
const events: JobEvent[] = [];

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-jobs-'));
  store = openStore(homePaths(home).database);
  runner = new JobRunner({ home, store, cancelGraceMs: 30_000 });
  runner.onEvent((e) => events.push(e));
});

afterAll(async () => {
  await runner.close();
  expect(store.integrityCheck()).toEqual([]);
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function waitFor(pred: (e: JobEvent) => boolean, timeoutMs = 280_000): Promise<JobEvent> {
  const found = events.find(pred);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for a job event')), timeoutMs);
    const off = runner.onEvent((e) => {
      if (pred(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

const statusOf = (runId: number, status: string) => (e: JobEvent) => e.type === 'status' && e.runId === runId && e.status === status;

function lastAlpha(runId: number): number[] {
  const newest = store.checkpoints.list(runId)[0]!; // newest first
  const c = readSearchCheckpoint(fs.readFileSync(newest.path));
  return [...c.tensors.get('alpha/alpha_normal')!.data, ...c.tensors.get('alpha/alpha_reduce')!.data];
}

describe('JobRunner', () => {
  let reference: number;

  it('runs a search in its own process and records every epoch and checkpoint', async () => {
    reference = await runner.submit({ kind: 'search', name: 'reference', config: tinySearch });
    await waitFor(statusOf(reference, 'completed'));
    const run = store.runs.require(reference);
    expect(run.backend).toBe('cpu');
    expect(run.deviceKind).toBe('cpu');
    expect(run.pid).toBeNull();
    expect(store.epochs.list(reference).map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(store.checkpoints.list(reference)).toHaveLength(3);
    expect(store.integrityCheck()).toEqual([]);
  });

  it('a search killed with SIGKILL mid-epoch is reconciled to interrupted, resumes, and ends where an uninterrupted run ends', async () => {
    const id = await runner.submit({ kind: 'search', name: 'killed', config: tinySearch });
    await waitFor((e) => e.type === 'epoch' && e.runId === id && e.epoch === 0);
    await waitFor((e) => e.type === 'progress' && e.runId === id && e.progress.epoch === 1);
    const pid = store.runs.require(id).pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(statusOf(id, 'interrupted'));
    expect(store.runs.require(id).error).toMatch(/SIGKILL/);
    expect(store.integrityCheck()).toEqual([]);

    // A fresh runner (as after an app restart) finds nothing left running.
    expect(runner.reconcile()).toBe(0);
    await runner.resume(id);
    await waitFor(statusOf(id, 'completed'));
    expect(store.epochs.list(id).map((e) => e.epoch)).toEqual([0, 1, 2]);
    const a = lastAlpha(reference);
    const b = lastAlpha(id);
    expect(b).toHaveLength(a.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    expect(store.integrityCheck()).toEqual([]);
  });

  it('reconciles a run whose process vanished while the runner was away', () => {
    const run = store.runs.create({ kind: 'search', config: store.runs.require(reference).config as never, codeVersion: 'test' });
    store.runs.transition(run.id, 'running', { pid: 2 ** 22 + 12345 });
    expect(runner.reconcile()).toBe(1);
    expect(store.runs.require(run.id).status).toBe('interrupted');
  });

  it('cancel stops at a step boundary with a final checkpoint; a second job waits in the queue meanwhile', async () => {
    const a = await runner.submit({ kind: 'search', name: 'to cancel', config: { ...tinySearch, epochs: 20 } });
    const b = await runner.submit({ kind: 'search', name: 'queued', config: { ...tinySearch, epochs: 1 } });
    await waitFor((e) => e.type === 'progress' && e.runId === a);
    expect(store.runs.require(b).status).toBe('queued');
    expect(runner.queue()).toEqual({ running: [a], queued: [b] });
    await runner.cancel(a);
    await waitFor(statusOf(a, 'cancelled'));
    expect(store.checkpoints.list(a).length).toBeGreaterThan(0);
    await waitFor(statusOf(b, 'completed'));
    // A cancelled run resumes to completion.
    await runner.resume(a);
    await waitFor((e) => e.type === 'epoch' && e.runId === a && e.epoch === 1);
    await runner.cancel(a);
    await waitFor((e) => e.type === 'status' && e.runId === a && e.status === 'cancelled' && events.filter(statusOf(a, 'cancelled')).length === 2);
    expect(store.integrityCheck()).toEqual([]);
  });

  it('a corrupted newest checkpoint is detected by its hash and resume falls back to the previous one', async () => {
    const id = await runner.submit({ kind: 'search', name: 'corrupt', config: tinySearch });
    await waitFor((e) => e.type === 'checkpoint' && e.runId === id && e.epoch === 1);
    await waitFor((e) => e.type === 'progress' && e.runId === id && e.progress.epoch === 2);
    process.kill(store.runs.require(id).pid!, 'SIGKILL');
    await waitFor(statusOf(id, 'interrupted'));
    const newest = store.checkpoints.list(id)[0]!;
    expect(newest.epoch).toBe(1); // closes the second epoch (index 1)
    const bytes = fs.readFileSync(newest.path);
    bytes[bytes.length - 10]! ^= 0xff;
    fs.writeFileSync(newest.path, bytes);
    await runner.resume(id);
    await waitFor(statusOf(id, 'completed'));
    // The bad file was reported and skipped; the rerun rewrote that path with a good checkpoint.
    const rewritten = store.checkpoints.list(id).find((c) => c.path === newest.path)!;
    expect(rewritten.valid).toBe(true);
    expect(sha256(fs.readFileSync(rewritten.path))).toBe(rewritten.sha256);
    expect(events.some((e) => e.type === 'log' && e.runId === id && /hash mismatch/.test(e.message))).toBe(true);
    // Epochs 1 and 2 were recomputed from the checkpoint closing epoch 0; each is recorded exactly once.
    expect(store.epochs.list(id).map((e) => e.epoch)).toEqual([0, 1, 2]);
    const a = lastAlpha(reference);
    const b = lastAlpha(id);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    expect(store.integrityCheck()).toEqual([]);
  });

  it('discretizes a checkpoint in a job and stores the genotype with its scores', async () => {
    const d = await runner.submit({ kind: 'discretize', searchRunId: reference, method: 'decorrelation', images: 16 });
    await waitFor(statusOf(d, 'completed'));
    const g = store.genotypes.listByRun(reference);
    expect(g).toHaveLength(1);
    expect(g[0]!.method).toBe('decorrelation');
    expect(g[0]!.text).toMatch(/^Genotype\(normal=\[/);
    expect(g[0]!.checkpointId).toBe(store.checkpoints.list(reference)[0]!.id);
    expect((g[0]!.scores as { normal: { picks: unknown[] } }).normal.picks).toHaveLength(4);
  });

  it('retrains a published genotype in a job, records its result, and evaluates it in another job', async () => {
    const r = await runner.submit({
      kind: 'retrain',
      genotype: 'DARTS_V2',
      config: { cells: 3, channels: 4, epochs: 1, batchSize: 8, stepsPerEpoch: 2, auxiliary: false, backend: 'cpu', data: { dataset: 'synthetic' } },
    });
    await waitFor(statusOf(r, 'completed'));
    const result = store.results.get(r)!;
    expect(result.top1Error).toBeGreaterThanOrEqual(0);
    expect(result.params).toBeGreaterThan(0);
    expect(store.genotypes.get(result.genotypeId)!.method).toBe('imported');
    const ev = await runner.submit({ kind: 'evaluate', retrainRunId: r });
    await waitFor(statusOf(ev, 'completed'));
    expect(events.some((e) => e.type === 'log' && e.runId === ev && /top1Error/.test(e.message))).toBe(true);
    expect(store.integrityCheck()).toEqual([]);
  });
});
