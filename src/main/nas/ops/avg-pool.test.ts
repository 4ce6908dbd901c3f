// avgPool and globalAvgPool vs float64 loop references and their finite differences, on every test backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends';
import { poolRef, type Shape4 } from '../testing/op-references';
import { dot, finiteDiff, maxRelError, nhwc, randomArray } from '../testing/reference';
import { avgPool, globalAvgPool, type AvgPoolOptions } from './avg-pool';

interface Case extends AvgPoolOptions {
  why: string;
}

const TOL = 1e-4;
const FLOOR = 1e-3;

const reference = (x: Float64Array, xs: Shape4, o: AvgPoolOptions) => poolRef(x, xs, o, 'avg');


const CASES: Case[] = [
  { size: 3, stride: 1, pad: 1, countIncludePad: false, why: 'avg_pool_3x3' },
  { size: 3, stride: 2, pad: 1, countIncludePad: false, why: 'avg_pool_3x3 reduce' },
  { size: 3, stride: 1, pad: 1, countIncludePad: true, why: 'padding counted' },
  { size: 3, stride: 2, pad: 1, countIncludePad: true, why: 'padding counted, stride 2' },
  { size: 5, stride: 3, pad: 0, countIncludePad: true, why: 'CIFAR auxiliary head' },
  { size: 5, stride: 2, pad: 0, countIncludePad: false, why: 'ImageNet auxiliary head' },
  { size: 3, stride: 3, pad: 1, countIncludePad: false, why: 'stride 3 with pad' },
  { size: 4, stride: 2, pad: 2, countIncludePad: false, why: 'even window, pad k/2' },
  { size: 2, stride: 2, pad: 0, countIncludePad: false, why: 'non-overlapping' },
  { size: 1, stride: 3, pad: 0, countIncludePad: false, why: 'window smaller than the stride' },
];
const SHAPES: Shape4[] = [
  [2, 7, 7, 3],
  [2, 8, 8, 4],
  [3, 6, 9, 3],
];

/** Σ avgPool(x)·r and its gradient; x passes through an op so it is an intermediate tf.grad disposes after forward. */
function tfGrad(x: tf.Tensor4D, r: tf.Tensor, o: AvgPoolOptions): tf.Tensor {
  return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(avgPool(tf.mul(a, 1) as tf.Tensor4D, o), r)))(x);
}

describe.each(TEST_BACKENDS)('avgPool on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each(CASES)('size $size stride $stride pad $pad include $countIncludePad ($why)', (c) => {
    it.each(SHAPES)('matches the reference forward and finite differences on %i×%i×%i×%i', (...xs) => {
      const x = randomArray(xs[0] * xs[1] * xs[2] * xs[3], 21 + xs[1]);
      const e = reference(x, xs, c);
      const r = randomArray(e.y.length, 23 + xs[2]);
      const out = tf.tidy(() => {
        const xt = tf.tensor4d(Float32Array.from(x), xs);
        const y = avgPool(xt, c);
        const g = tfGrad(xt, tf.tensor(Float32Array.from(r), y.shape), c);
        return { ys: y.shape, y: y.dataSync(), g: g.dataSync() };
      });
      expect(out.ys).toEqual(e.ys);
      expect(maxRelError(out.y, e.y, FLOOR)).toBeLessThan(TOL);
      const fd = finiteDiff((v) => dot(reference(v, xs, c).y, r), x);
      expect(maxRelError(out.g, fd, FLOOR)).toBeLessThan(TOL);
    });
  });

  it("has inputs on which tfjs' own gradient is wrong at the borders", () => {
    const xs: Shape4 = [2, 7, 7, 3];
    const o = CASES[0]!;
    const x = randomArray(xs[0] * xs[1] * xs[2] * xs[3], 31);
    const r = randomArray(reference(x, xs, o).y.length, 33);
    const builtin = tf.tidy(() => {
      const xt = tf.tensor4d(Float32Array.from(x), xs);
      const rt = tf.tensor(Float32Array.from(r), [2, 7, 7, 3]);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, 3, 1, 1), rt)))(xt).dataSync();
    });
    const fd = finiteDiff((v) => dot(reference(v, xs, o).y, r), x);
    expect(maxRelError(builtin, fd, FLOOR)).toBeGreaterThan(0.1);
  });

  it('rejects options PyTorch rejects', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => avgPool(x, { size: 3, stride: 1, pad: 2, countIncludePad: false })).toThrow(/pad/);
    expect(() => avgPool(x, { size: 2, stride: 0, pad: 0, countIncludePad: false })).toThrow(/stride/);
    expect(() => avgPool(x, { size: 5, stride: 1, pad: 0, countIncludePad: false })).toThrow(/smaller/);
    x.dispose();
  });

  it('keeps the tensor count flat over repeated forward + backward passes', () => {
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const step = (o: AvgPoolOptions) =>
      tf.tidy(() => {
        const r = tf.onesLike(avgPool(x, o));
        tfGrad(x, r, o);
      });
    CASES.forEach(step);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) CASES.forEach(step);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('builds its gradient from forward kernels only', async () => {
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const names = new Set<string>();
    for (const o of CASES) {
      const r = tf.tidy(() => tf.onesLike(avgPool(x, o)));
      const info = await tf.profile(() => tfGrad(x, r, o));
      info.kernelNames.forEach((n) => names.add(n));
      tf.dispose([r, info.result as tf.Tensor]);
    }
    expect(names.has('AvgPool')).toBe(true);
    expect([...names].filter((n) => /Backprop|Grad/.test(n))).toEqual([]);
    x.dispose();
  });
});

describe.each(TEST_BACKENDS)('globalAvgPool on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(SHAPES)('matches the mean over H, W and its finite differences on %i×%i×%i×%i', (...xs) => {
    const [n, h, w, c] = xs;
    const ref = (v: Float64Array) => {
      const y = new Float64Array(n * c);
      for (let b = 0; b < n; b++)
        for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let ch = 0; ch < c; ch++) y[b * c + ch] += v[nhwc(xs, b, i, j, ch)]! / (h * w);
      return y;
    };
    const x = randomArray(n * h * w * c, 41 + h);
    const r = randomArray(n * c, 43);
    const out = tf.tidy(() => {
      const xt = tf.tensor4d(Float32Array.from(x), xs);
      const rt = tf.tensor2d(Float32Array.from(r), [n, c]);
      const y = globalAvgPool(xt);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(globalAvgPool(tf.mul(a, 1) as tf.Tensor4D), rt)))(xt);
      return { ys: y.shape, y: y.dataSync(), g: g.dataSync() };
    });
    expect(out.ys).toEqual([n, c]);
    expect(maxRelError(out.y, ref(x), FLOOR)).toBeLessThan(TOL);
    expect(maxRelError(out.g, finiteDiff((v) => dot(ref(v), r), x), FLOOR)).toBeLessThan(TOL);
  });
});
