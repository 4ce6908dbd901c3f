import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Genotype } from '../../shared/genotype';
import { parseGenotype } from '../../shared/genotype-text';
import { Rng } from '../../shared/random';
import { AUXILIARY_PREFIX } from './auxiliary-head';
import { EvalCell, dropPath } from './eval-cell';
import { EvalNetwork, type EvalNetworkOptions } from './eval-network';
import { Params } from './params';
import { useBackend } from './testing/backends';

beforeAll(() => useBackend('cpu'));

const G = (text: string): Genotype => parseGenotype(text);

/** Reduction cell with a max pool, an avg pool, a dil_conv_5x5 and skip_connect at stride 2 (FactorizedReduce). */
const MIXED = G(
  "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 2), ('avg_pool_3x3', 0)], normal_concat=[2, 3], " +
    "reduce=[('max_pool_3x3', 0), ('dil_conv_5x5', 1), ('skip_connect', 0), ('avg_pool_3x3', 2)], reduce_concat=[2, 3])",
);

const tiny = (over: Partial<EvalNetworkOptions> = {}): EvalNetworkOptions => ({
  genotype: MIXED,
  cells: 3,
  channels: 4,
  numClasses: 5,
  inputShape: [8, 8, 3],
  stem: 'cifar',
  auxiliary: false,
  ...over,
});

const seeded = (seed: number) => {
  const r = new Rng(seed);
  return () => r.next();
};

describe('drop-path', () => {
  it('keeps each sample with probability 1−p and scales it by 1/(1−p) (seeded, statistically)', () => {
    const p = 0.3;
    const y = tf.tidy(() => dropPath(tf.ones([4000, 1, 1, 2]) as tf.Tensor4D, p, seeded(7)).dataSync());
    let dropped = 0;
    for (let i = 0; i < 4000; i++) {
      const a = y[2 * i]!;
      expect(a).toBe(y[2 * i + 1]!); // one mask value per sample
      if (a === 0) dropped += 1;
      else expect(a).toBeCloseTo(1 / (1 - p), 6);
    }
    // Binomial(4000, 0.3): σ ≈ 29 → ±5σ.
    expect(Math.abs(dropped - 1200)).toBeLessThan(145);
    // The same seed gives the same mask.
    const again = tf.tidy(() => dropPath(tf.ones([4000, 1, 1, 2]) as tf.Tensor4D, p, seeded(7)).dataSync());
    expect(Array.from(again)).toEqual(Array.from(y));
  });

  it('is off in evaluation and on in training; skip_connect (the identity) is never dropped', () => {
    const p = new Params(new Rng(1));
    const sepCell = new EvalCell(p, 0, G("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])"), 6, 6, 4, false, false);
    const skipCell = new EvalCell(p, 1, G("Genotype(normal=[('skip_connect', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])"), 6, 6, 4, false, false);
    const s0 = tf.randomNormal([16, 5, 5, 6], 0, 1, 'float32', 3) as tf.Tensor4D;
    const s1 = tf.randomNormal([16, 5, 5, 6], 0, 1, 'float32', 4) as tf.Tensor4D;
    const run = (cell: EvalCell, training: boolean, dropPathProb: number) =>
      tf.tidy(() => Array.from(cell.forward(s0, s1, { training, dropPathProb, random: seeded(11) }).dataSync()));
    // Evaluation: drop-path has no effect, and needs no random source.
    expect(run(sepCell, false, 0.5)).toEqual(run(sepCell, false, 0));
    expect(tf.tidy(() => Array.from(sepCell.forward(s0, s1, { training: false, dropPathProb: 0.5 }).dataSync()))).toEqual(run(sepCell, false, 0));
    // Training: sep_conv outputs are dropped per sample.
    const on = run(sepCell, true, 0.5);
    const off = run(sepCell, true, 0);
    expect(on).not.toEqual(off);
    // Identity edges are exempt, as in the reference (`isinstance(op, Identity)`).
    expect(run(skipCell, true, 0.5)).toEqual(run(skipCell, true, 0));
    expect(() => sepCell.forward(s0, s1, { training: true, dropPathProb: 0.5 })).toThrow(/ctx.random/);
    tf.dispose([s0, s1]);
    p.dispose();
  });

  it('network: evaluation output is the same with any drop-path probability', () => {
    const net = new EvalNetwork(tiny(), new Rng(2));
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const run = (dropPathProb: number) => tf.tidy(() => Array.from(net.forward(x, { training: false, dropPathProb, random: seeded(1) }).logits.dataSync()));
    expect(run(0.6)).toEqual(run(0));
    x.dispose();
    net.dispose();
  });
});

describe('EvalNetwork', () => {
  it('builds and runs a genotype with pools, dil_conv and skip at stride 2 in the reduction cells, with gradients everywhere', () => {
    const net = new EvalNetwork(tiny(), new Rng(3));
    expect(net.cells.map((c) => c.reduction)).toEqual([false, true, true]);
    const reduceCell = net.cells[1]!;
    expect(reduceCell.edges.map((e) => [e.op, e.stride])).toEqual([
      ['max_pool_3x3', 2],
      ['dil_conv_5x5', 2],
      ['skip_connect', 2],
      ['avg_pool_3x3', 1],
    ]);
    // No BN after pooling ops in the final network, and affine BN everywhere else.
    const names = [...net.params.trainable.keys()];
    expect(names.some((n) => /ops\.0\.bn/.test(n) && n.startsWith('cells.1.'))).toBe(false);
    expect(names.filter((n) => n.endsWith('.bn.weight')).length).toBeGreaterThan(0);
    const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 4], 'int32');
    const before = tf.memory().numTensors;
    const { norms, shape } = tf.tidy(() => {
      let shape: number[] = [];
      const { grads } = tf.variableGrads(() => {
        const out = net.forward(x, { training: true, dropPathProb: 0.2, random: seeded(4) });
        shape = out.logits.shape;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(y, 5), out.logits) as tf.Scalar;
      }, [...net.params.trainable.values()]);
      return { norms: Object.values(grads).map((g) => tf.norm(g).dataSync()[0]!), shape };
    });
    expect(shape).toEqual([3, 5]);
    expect(tf.memory().numTensors).toBe(before);
    expect(norms.length).toBe(net.params.trainable.size);
    for (const n of norms) expect(Number.isFinite(n)).toBe(true);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('runs the ImageNet form (stride-2 stems, FactorizedReduce into the first cell)', () => {
    const net = new EvalNetwork(tiny({ stem: 'imagenet', inputShape: [32, 32, 3] }), new Rng(4));
    expect(net.cells[0]!.reductionPrev).toBe(true);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    expect(tf.tidy(() => net.forward(x, { training: false }).logits.shape)).toEqual([2, 5]);
    x.dispose();
    net.dispose();
  });

  it('uses the auxiliary head only in training; its parameters are named apart', () => {
    const net = new EvalNetwork(tiny({ inputShape: [32, 32, 3], auxiliary: true }), new Rng(5));
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const train = tf.tidy(() => {
      const o = net.forward(x, { training: true });
      return { logits: o.logits.shape, aux: o.auxLogits?.shape };
    });
    expect(train).toEqual({ logits: [2, 5], aux: [2, 5] });
    const evalKeys = tf.tidy(() => Object.keys(net.forward(x, { training: false })));
    expect(evalKeys).toEqual(['logits']);
    const auxNames = [...net.params.trainable.keys()].filter((n) => n.startsWith(AUXILIARY_PREFIX));
    expect(auxNames.length).toBe(8); // conv1, bn1 γβ, conv2, bn2 γβ, classifier weight and bias
    x.dispose();
    net.dispose();
  });

  it('refuses an auxiliary head on a 1-pixel map, at construction', () => {
    expect(() => new EvalNetwork(tiny({ inputShape: [4, 4, 3], auxiliary: true }), new Rng(0))).toThrow(/auxiliary head needs a feature map of at least 2×2 .*--no-auxiliary/);
  });
});
