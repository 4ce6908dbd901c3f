// Real child processes and a real SQLite file: kill, reconcile, resume, cancel, queue, corrupt checkpoints.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/main/jobs/run-folder';
import { statusOf, useRunnerHarness } from './runner-harness';

const tinySearch = {
  space: { ops: ['none', 'skip_connect', 'sep_conv_3x3'], cells: 2, channels: 4, nodes: 2 },
  epochs: 3,
  batchSize: 8,
  stepsPerEpoch: 3,
  alpha: { freezeEpochs: 0 },
  backend: 'cpu',
  data: { dataset: 'synthetic', discretizeImages: 16 },
};

const h = useRunnerHarness('nasw-jobs-', 30_000);

describe('JobRunner', () => {
  let reference: number;

  it('runs a search in its own process and records every epoch and checkpoint', async () => {
    reference = await h.runner.submit({ kind: 'search', name: 'reference', config: tinySearch });
    await h.waitFor(statusOf(reference, 'completed'));
    const run = h.store.runs.require(reference);
    expect(run.backend).toBe('cpu');
    expect(run.deviceKind).toBe('cpu');
    expect(run.pid).toBeNull();
    expect(h.store.epochs.list(reference).map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(h.store.checkpoints.list(reference)).toHaveLength(3);
    expect(h.store.integrityCheck()).toEqual([]);
  });

  it('a search killed with SIGKILL mid-epoch is reconciled to interrupted, resumes, and ends where an uninterrupted run ends', async () => {
    const id = await h.runner.submit({ kind: 'search', name: 'killed', config: tinySearch });
    await h.waitFor((e) => e.type === 'epoch' && e.runId === id && e.epoch === 0);
    await h.waitFor((e) => e.type === 'progress' && e.runId === id && e.progress.epoch === 1);
    const pid = h.store.runs.require(id).pid!;
    process.kill(pid, 'SIGKILL');
    await h.waitFor(statusOf(id, 'interrupted'));
    expect(h.store.runs.require(id).error).toMatch(/SIGKILL/);
    expect(h.store.integrityCheck()).toEqual([]);

    // A fresh h.runner (as after an app restart) finds nothing left running.
    expect(h.runner.reconcile()).toBe(0);
    await h.runner.resume(id);
    await h.waitFor(statusOf(id, 'completed'));
    expect(h.store.epochs.list(id).map((e) => e.epoch)).toEqual([0, 1, 2]);
    const a = h.lastAlpha(reference);
    const b = h.lastAlpha(id);
    expect(b).toHaveLength(a.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    expect(h.store.integrityCheck()).toEqual([]);
  });

  it('reconciles a run whose process vanished while the h.runner was away', () => {
    const run = h.store.runs.create({ kind: 'search', config: h.store.runs.require(reference).config as never, codeVersion: 'test' });
    h.store.runs.transition(run.id, 'running', { pid: 2 ** 22 + 12345 });
    expect(h.runner.reconcile()).toBe(1);
    expect(h.store.runs.require(run.id).status).toBe('interrupted');
  });

  it('cancel stops at a step boundary with a final checkpoint; a second job waits in the queue meanwhile', async () => {
    const a = await h.runner.submit({ kind: 'search', name: 'to cancel', config: { ...tinySearch, epochs: 20 } });
    const b = await h.runner.submit({ kind: 'search', name: 'queued', config: { ...tinySearch, epochs: 1 } });
    await h.waitFor((e) => e.type === 'progress' && e.runId === a);
    expect(h.store.runs.require(b).status).toBe('queued');
    expect(h.runner.queue()).toEqual({ running: [a], queued: [b] });
    await h.runner.cancel(a);
    await h.waitFor(statusOf(a, 'cancelled'));
    expect(h.store.checkpoints.list(a).length).toBeGreaterThan(0);
    await h.waitFor(statusOf(b, 'completed'));
    // A cancelled run resumes to completion.
    await h.runner.resume(a);
    await h.waitFor((e) => e.type === 'epoch' && e.runId === a && e.epoch === 1);
    await h.runner.cancel(a);
    await h.waitFor((e) => e.type === 'status' && e.runId === a && e.status === 'cancelled' && h.events.filter(statusOf(a, 'cancelled')).length === 2);
    expect(h.store.integrityCheck()).toEqual([]);
  });

  it('a corrupted newest checkpoint is detected by its hash and resume falls back to the previous one', async () => {
    const id = await h.runner.submit({ kind: 'search', name: 'corrupt', config: tinySearch });
    await h.waitFor((e) => e.type === 'checkpoint' && e.runId === id && e.epoch === 1);
    await h.waitFor((e) => e.type === 'progress' && e.runId === id && e.progress.epoch === 2);
    process.kill(h.store.runs.require(id).pid!, 'SIGKILL');
    await h.waitFor(statusOf(id, 'interrupted'));
    const newest = h.store.checkpoints.list(id)[0]!;
    expect(newest.epoch).toBe(1); // closes the second epoch (index 1)
    const bytes = fs.readFileSync(newest.path);
    bytes[bytes.length - 10]! ^= 0xff;
    fs.writeFileSync(newest.path, bytes);
    await h.runner.resume(id);
    await h.waitFor(statusOf(id, 'completed'));
    // The bad file was reported and skipped; the rerun rewrote that path with a good checkpoint.
    const rewritten = h.store.checkpoints.list(id).find((c) => c.path === newest.path)!;
    expect(rewritten.valid).toBe(true);
    expect(sha256(fs.readFileSync(rewritten.path))).toBe(rewritten.sha256);
    expect(h.events.some((e) => e.type === 'log' && e.runId === id && /hash mismatch/.test(e.message))).toBe(true);
    // Epochs 1 and 2 were recomputed from the checkpoint closing epoch 0; each is recorded exactly once.
    expect(h.store.epochs.list(id).map((e) => e.epoch)).toEqual([0, 1, 2]);
    const a = h.lastAlpha(reference);
    const b = h.lastAlpha(id);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    expect(h.store.integrityCheck()).toEqual([]);
  });

  it('discretizes a checkpoint in a job and stores the genotype with its scores', async () => {
    const d = await h.runner.submit({ kind: 'discretize', searchRunId: reference, method: 'decorrelation', images: 16 });
    await h.waitFor(statusOf(d, 'completed'));
    const g = h.store.genotypes.listByRun(reference);
    expect(g).toHaveLength(1);
    expect(g[0]!.method).toBe('decorrelation');
    expect(g[0]!.text).toMatch(/^Genotype\(normal=\[/);
    expect(g[0]!.checkpointId).toBe(h.store.checkpoints.list(reference)[0]!.id);
    expect((g[0]!.scores as { normal: { picks: unknown[] } }).normal.picks).toHaveLength(4);
  });

  it('retrains a published genotype in a job, records its result, and evaluates it in another job', async () => {
    const r = await h.runner.submit({
      kind: 'retrain',
      genotype: 'DARTS_V2',
      config: { cells: 3, channels: 4, epochs: 1, batchSize: 8, stepsPerEpoch: 2, auxiliary: false, backend: 'cpu', data: { dataset: 'synthetic' } },
    });
    await h.waitFor(statusOf(r, 'completed'));
    const result = h.store.results.get(r)!;
    expect(result.top1Error).toBeGreaterThanOrEqual(0);
    expect(result.params).toBeGreaterThan(0);
    expect(h.store.genotypes.get(result.genotypeId)!.method).toBe('imported');
    const ev = await h.runner.submit({ kind: 'evaluate', retrainRunId: r });
    await h.waitFor(statusOf(ev, 'completed'));
    expect(h.events.some((e) => e.type === 'log' && e.runId === ev && /top1Error/.test(e.message))).toBe(true);
    expect(h.store.integrityCheck()).toEqual([]);
  });
});
