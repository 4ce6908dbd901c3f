import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseGenotype } from '../../shared/genotype-text';
import type { RetrainEpochMetrics } from '../../shared/metrics';
import { retrainConfig, type RetrainConfigInput } from '../../shared/retrain-config';
import { evaluateNetwork } from './evaluate';
import { correctCount, crossEntropy } from './loss';
import { dropPathRandom, retrainLr, retrainStep, runRetrain, type RetrainData, type RetrainEvent } from './retrain';
import { RetrainState, readRetrainCheckpoint, retrainStateFromCheckpoint } from './retrain-state';
import { useBackend } from './testing/backends';
import { SyntheticSource } from './testing/synthetic-data';

beforeAll(() => useBackend('cpu'));

// One node per cell keeps a step cheap on the shared CPU; the reduction cell has a pool and a strided dil_conv.
const genotype = parseGenotype(
  "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('dil_conv_3x3', 1)], reduce_concat=[2])",
);

const tiny = (over: Partial<RetrainConfigInput> = {}) =>
  retrainConfig({
    genotype,
    cells: 3,
    channels: 4,
    epochs: 3,
    batchSize: 8,
    stepsPerEpoch: 2,
    auxiliary: false,
    dropPath: 0.3,
    optim: { lr: 0.05 },
    backend: 'cpu',
    ...over,
  });

function data(shape: readonly [number, number, number] = [8, 8, 3], size = 48): RetrainData {
  // Same seed → same class templates; the test split is a smaller draw from the same classes.
  return { train: new SyntheticSource(size, shape, 4, 1), test: new SyntheticSource(16, shape, 4, 1), classNames: ['a', 'b', 'c', 'd'] };
}

type EpochEvent = Extract<RetrainEvent, { type: 'epoch' }>;

async function collect(gen: AsyncGenerator<RetrainEvent>): Promise<RetrainEvent[]> {
  const out: RetrainEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

const epochsOf = (events: RetrainEvent[]) => events.filter((e): e is EpochEvent => e.type === 'epoch');

function weightsOf(bytes: Uint8Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of readRetrainCheckpoint(bytes).tensors) out.set(name, t.data);
  return out;
}

function expectClose(a: Map<string, Float32Array>, b: Map<string, Float32Array>, tol: number): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  let worst = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('runRetrain', () => {
  it('trains a tiny network on synthetic data: the loss falls; metrics carry the schedule and the drop-path ramp', async () => {
    const config = tiny({ epochs: 5, stepsPerEpoch: 0, dropPath: 0.2, optim: { lr: 0.1 } });
    const events = await collect(runRetrain({ config, data: data([8, 8, 3], 32) }));
    const start = events[0] as Extract<RetrainEvent, { type: 'start' }>;
    expect(start.type).toBe('start');
    expect(start.parameters).toBeGreaterThan(0);
    expect(start.multiplyAdds).toBeGreaterThan(0);
    const m: RetrainEpochMetrics[] = epochsOf(events).map((e) => e.metrics);
    expect(m).toHaveLength(5);
    expect(m.map((x) => x.lr)).toEqual([0, 1, 2, 3, 4].map((e) => retrainLr(config, e)));
    expect(m[0]!.lr).toBeCloseTo(0.1, 12);
    expect(m.map((x) => x.dropPathProb)).toEqual([0, 1, 2, 3, 4].map((e) => (0.2 * e) / 5));
    for (const x of m) {
      expect(x.steps).toBe(4);
      expect(x.images).toBe(32);
      expect(x.testImages).toBe(16);
      expect(x.testTop5Error).toBe(0); // 4 classes: the top-5 always holds the label
    }
    expect(m.at(-1)!.trainLoss).toBeLessThan(0.7 * m[0]!.trainLoss);
    expect(m.at(-1)!.trainAcc).toBeGreaterThan(m[0]!.trainAcc);
    expect(m.at(-1)!.testLoss).toBeLessThan(m[0]!.testLoss);
    expect(events.at(-1)!.type).toBe('done');
  });

  it('uses the exponential schedule and label smoothing of the ImageNet recipe', () => {
    const c = retrainConfig({ genotype, epochs: 10 }, 'imagenet');
    expect(retrainLr(c, 0)).toBeCloseTo(0.1, 12);
    expect(retrainLr(c, 3)).toBeCloseTo(0.1 * 0.97 ** 3, 12);
    expect(c.labelSmoothing).toBe(0.1);
  });

  it('resumes along the same trajectory: 3 epochs in one go = 1 epoch + resume for 2 (weights, BN and momenta to 1e-5)', async () => {
    // Drop-path and label smoothing on, so the masks must replay too.
    const config = tiny({ labelSmoothing: 0.1 });
    const d = data();
    const full = epochsOf(await collect(runRetrain({ config, data: d })));
    let polls = 0;
    const first = await collect(runRetrain({ config, data: d, shouldStop: () => polls++ >= 2 }));
    const afterOne = epochsOf(first)[0]!;
    expect(first.at(-1)!.type).toBe('stopped');
    const rest = epochsOf(await collect(runRetrain({ config, data: d, resume: afterOne.checkpoint })));
    expect(rest.map((e) => e.metrics.epoch)).toEqual([1, 2]);
    const a = weightsOf(full[2]!.checkpoint);
    // Every weight has its momentum in the checkpoint.
    expect([...a.keys()].filter((k) => k.startsWith('sgd/')).length).toBe([...a.keys()].filter((k) => k.startsWith('w/')).length);
    expectClose(a, weightsOf(rest[1]!.checkpoint), 1e-5);
    expect(rest[1]!.metrics.trainLoss).toBeCloseTo(full[2]!.metrics.trainLoss, 5);
    expect(readRetrainCheckpoint(rest[1]!.checkpoint).meta.history).toHaveLength(3);
  });

  it('adds the auxiliary loss with its weight, and trains the head', async () => {
    const config = tiny({ auxiliary: true, auxiliaryWeight: 0.4, labelSmoothing: 0.1 });
    const state = new RetrainState(config, [32, 32, 3], 4);
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    const expected = tf.tidy(() => {
      const out = state.net.forward(x, { training: true, dropPathProb: 0.1, random: dropPathRandom(0, 0, 0) });
      return crossEntropy(out.logits, y, 0.1).dataSync()[0]! + 0.4 * crossEntropy(out.auxLogits!, y, 0.1).dataSync()[0]!;
    });
    const head = 'auxiliary_head.classifier.weight';
    const before = Array.from(state.net.params.trainable.get(head)!.dataSync());
    const r = await retrainStep(state, x, y, 0.1, 0.1, dropPathRandom(0, 0, 0));
    expect(r.loss).toBeCloseTo(expected, 5);
    expect(Array.from(state.net.params.trainable.get(head)!.dataSync())).not.toEqual(before);
    tf.dispose([x, y]);
    state.dispose();
  });

  it('stops at a step boundary and resumes mid-epoch to the same weights', async () => {
    const config = tiny();
    const d = data();
    const full = epochsOf(await collect(runRetrain({ config, data: d })));
    let polls = 0;
    const stopped = (await collect(runRetrain({ config, data: d, shouldStop: () => polls++ >= 3 }))).find((e) => e.type === 'stopped') as Extract<RetrainEvent, { type: 'stopped' }>;
    expect(stopped.position).toEqual({ epoch: 1, step: 1 });
    const rest = epochsOf(await collect(runRetrain({ config, data: d, resume: stopped.checkpoint })));
    expect(rest[0]!.metrics.steps).toBe(2);
    expectClose(weightsOf(full[2]!.checkpoint), weightsOf(rest.at(-1)!.checkpoint), 1e-5);
    expect(rest[0]!.metrics.trainLoss).toBeCloseTo(full[1]!.metrics.trainLoss, 5);
  });

  it('restores from a Node Buffer at an offset, as fs.readFileSync gives (Buffer.slice is a view, not a copy)', async () => {
    const bytes = epochsOf(await collect(runRetrain({ config: tiny({ epochs: 1 }), data: data() })))[0]!.checkpoint;
    const fromDisk = Buffer.concat([Buffer.alloc(3), Buffer.from(bytes)]).subarray(3);
    expectClose(weightsOf(fromDisk), weightsOf(bytes), 0);
    const { state } = retrainStateFromCheckpoint(fromDisk, false);
    const again = await state.toCheckpoint({ position: { epoch: 1, step: 0 }, partial: { loss: 0, correct: 0, images: 0, steps: 0, seconds: 0 }, history: [] });
    state.dispose();
    const a = weightsOf(bytes);
    const b = weightsOf(again);
    for (const k of [...a.keys()]) if (k.startsWith('sgd/')) a.delete(k);
    expectClose(a, b, 0);
  });

  it('keeps the tensor count flat across steps', async () => {
    const counts: number[] = [];
    for await (const e of runRetrain({ config: tiny({ epochs: 1, stepsPerEpoch: 4 }), data: data(), progressEvery: 1 })) {
      if (e.type === 'step') counts.push(tf.memory().numTensors);
    }
    expect(counts).toHaveLength(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });
});

describe('evaluateNetwork', () => {
  it('gives top-1 / top-5 error, per-class accuracy and a confusion matrix consistent with the logits', async () => {
    const events = await collect(runRetrain({ config: tiny({ epochs: 1 }), data: data() }));
    const bytes = epochsOf(events)[0]!.checkpoint;
    const { state } = retrainStateFromCheckpoint(bytes, false);
    const test = new SyntheticSource(20, [8, 8, 3], 4, 1);
    const r = await evaluateNetwork(state.net, test, { batchSize: 8 });
    expect(r.images).toBe(20);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(20);
    // Independent recount from the eval-mode logits of all 20 images at once.
    const b = await test.batch(0, 0, 20);
    const { correct, top2 } = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [20, 8, 8, 3]);
      const y = tf.tensor1d(b.y, 'int32');
      const logits = state.net.forward(x, { training: false }).logits;
      return { correct: correctCount(logits, y).arraySync(), top2: correctCount(logits, y, 2).arraySync() };
    });
    const diag = r.confusion.reduce((a, row, i) => a + row[i]!, 0);
    expect(diag).toBe(correct);
    expect(r.top1Error).toBeCloseTo(1 - correct / 20, 12);
    expect(top2).toBeGreaterThanOrEqual(correct);
    expect(r.top5Error).toBe(0);
    r.perClassAccuracy.forEach((a, c) => {
      const row = r.confusion[c]!;
      expect(a).toBeCloseTo(row[c]! / row.reduce((s, v) => s + v, 0), 12);
    });
    // Same figures in one batch or several (BN in eval mode: no batch dependence).
    const once = await evaluateNetwork(state.net, test, { batchSize: 20 });
    expect(once.confusion).toEqual(r.confusion);
    expect(once.loss).toBeCloseTo(r.loss, 5);
    state.dispose();
  });
});
