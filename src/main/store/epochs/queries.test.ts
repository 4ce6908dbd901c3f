import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../errors';
import { sampleSearchConfig, sampleSearchMetrics } from '../testing/fixtures';
import { useTempStore } from '../testing/temp-store';
import type { SearchEpochMetrics } from '../../../shared/metrics';

const t = useTempStore();
const newRun = () => t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 'test' }).id;

describe('epochs', () => {
  it('round-trips a search epoch: scalar columns and the whole metrics object', () => {
    const id = newRun();
    const m = sampleSearchMetrics(4);
    t.store.epochs.recordSearch(id, m);
    const [rec] = t.store.epochs.list<SearchEpochMetrics>(id);
    expect(rec).toEqual({
      runId: id,
      epoch: 4,
      lr: m.lr,
      trainLoss: m.trainLoss,
      trainAcc: m.trainAcc,
      valLoss: m.valLoss,
      valAcc: m.valAcc,
      testLoss: null,
      testAcc: null,
      zeroRatio: m.zeroRatio,
      seconds: m.seconds,
      metrics: m,
      recordedAt: '2026-11-29T12:00:00.000Z',
    });
    expect(rec!.metrics.alphaSoftmax.normal).toHaveLength(14);
    expect(rec!.metrics.alphaSoftmax.reduce[13]).toHaveLength(8);
    expect(t.store.epochs.get(id, 4)).toEqual(rec);
    expect(t.store.epochs.get(id, 5)).toBeUndefined();
  });

  it('upserts: recording an epoch again (a resumed run) replaces it, never duplicates', () => {
    const id = newRun();
    for (let e = 0; e < 5; e++) t.store.epochs.recordSearch(id, sampleSearchMetrics(e));
    // Crash after epoch 4, resume from the epoch-2 checkpoint: epochs 3 and 4 are redone with new values.
    t.clock.now += 5000;
    const redo3 = { ...sampleSearchMetrics(3, 99), valAcc: 0.42 };
    t.store.epochs.recordSearch(id, redo3);
    t.store.epochs.recordSearch(id, redo3); // the same message delivered twice
    t.store.epochs.recordSearch(id, sampleSearchMetrics(4, 98));
    t.store.epochs.recordSearch(id, sampleSearchMetrics(5));
    const all = t.store.epochs.list<SearchEpochMetrics>(id);
    expect(all.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(all[3]).toMatchObject({ valAcc: 0.42, metrics: redo3, recordedAt: '2026-11-29T12:00:05.000Z' });
    expect(t.store.epochs.progress(id)).toEqual({ lastEpoch: 5, count: 6 });
    expect(t.store.runs.summary(id)!.epochsDone).toBe(6);
  });

  it('records generic (retrain-style) epochs with test figures, several in one transaction', () => {
    const id = t.store.runs.create({ kind: 'retrain', config: { epochs: 3 }, dataset: 'cifar10', seed: 0, backendChoice: 'cpu', codeVersion: 'test' }).id;
    t.store.epochs.recordMany(id, [
      { epoch: 0, lr: 0.025, trainLoss: 1.9, trainAcc: 0.3, testLoss: 1.7, testAcc: 0.4, seconds: 10, metrics: { drop_path: 0.0 } },
      { epoch: 1, lr: 0.02, trainLoss: 1.5, trainAcc: 0.45, testLoss: 1.4, testAcc: 0.5, seconds: 10, metrics: { drop_path: 0.1 } },
    ]);
    expect(t.store.epochs.scalars(id)).toEqual([
      { epoch: 0, lr: 0.025, trainLoss: 1.9, trainAcc: 0.3, valLoss: null, valAcc: null, testLoss: 1.7, testAcc: 0.4, zeroRatio: { normal: null, reduce: null }, seconds: 10 },
      { epoch: 1, lr: 0.02, trainLoss: 1.5, trainAcc: 0.45, valLoss: null, valAcc: null, testLoss: 1.4, testAcc: 0.5, zeroRatio: { normal: null, reduce: null }, seconds: 10 },
    ]);
    expect(t.store.epochs.get(id, 1)!.metrics).toEqual({ drop_path: 0.1 });
  });

  it('rolls back a batch that fails half-way', () => {
    const id = newRun();
    expect(() => t.store.epochs.recordMany(id, [{ epoch: 0, metrics: {} }, { epoch: -1, metrics: {} }])).toThrow(InvalidInputError);
    expect(t.store.epochs.list(id)).toEqual([]);
  });

  it('stores a NaN loss as null (and the run stays readable)', () => {
    const id = newRun();
    const m = { ...sampleSearchMetrics(0), trainLoss: Number.NaN, valLoss: Number.POSITIVE_INFINITY };
    t.store.epochs.recordSearch(id, m);
    const rec = t.store.epochs.get<SearchEpochMetrics>(id, 0)!;
    expect(rec.trainLoss).toBeNull();
    expect(rec.valLoss).toBeNull();
    expect(rec.metrics.trainLoss).toBeNull();
  });

  it('truncates epochs after a point (fallback to an older checkpoint)', () => {
    const id = newRun();
    for (let e = 0; e < 6; e++) t.store.epochs.recordSearch(id, sampleSearchMetrics(e));
    expect(t.store.epochs.truncateAfter(id, 3)).toBe(2);
    expect(t.store.epochs.progress(id)).toEqual({ lastEpoch: 3, count: 4 });
  });

  it('refuses an epoch of a run that does not exist, or a bad epoch number', () => {
    expect(() => t.store.epochs.recordSearch(404, sampleSearchMetrics(0))).toThrow(NotFoundError);
    const id = newRun();
    expect(() => t.store.epochs.record(id, { epoch: 1.5, metrics: {} })).toThrow(InvalidInputError);
    expect(t.store.epochs.progress(id)).toEqual({ lastEpoch: null, count: 0 });
  });
});
