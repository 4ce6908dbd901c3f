// maxPool vs a float64 loop reference (first-max routing) and its finite differences, on every test backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends';
import { distinct, poolRef, quantised, type Shape4 } from '../testing/op-references';
import { dot, finiteDiff, maxRelError, randomArray } from '../testing/reference';
import { maxPool, type MaxPoolOptions } from './max-pool';

interface Case extends MaxPoolOptions {
  why: string;
}

const TOL = 1e-4;
const FLOOR = 1e-3;

const reference = (x: Float64Array, xs: Shape4, o: MaxPoolOptions) => poolRef(x, xs, o, 'max');


/** The routing rule itself: dx[arg[o]] += r[o]. */
function routedGrad(arg: Int32Array, r: Float64Array, size: number): Float64Array {
  const g = new Float64Array(size);
  for (let o = 0; o < arg.length; o++) g[arg[o]!] += r[o]!;
  return g;
}



const CASES: Case[] = [
  { size: 3, stride: 1, pad: 1, why: 'max_pool_3x3' },
  { size: 3, stride: 2, pad: 1, why: 'max_pool_3x3 reduce' },
  { size: 3, stride: 1, pad: 0, why: 'no pad' },
  { size: 2, stride: 2, pad: 0, why: 'non-overlapping' },
  { size: 3, stride: 2, pad: 0, why: 'unused trailing rows' },
  { size: 5, stride: 3, pad: 2, why: 'stride 3' },
  { size: 1, stride: 2, pad: 0, why: 'window smaller than the stride' },
];
const SHAPES: Shape4[] = [
  [2, 7, 7, 3],
  [2, 8, 8, 4],
  [3, 6, 9, 3],
];

/** Σ maxPool(x)·r and its gradient; x passes through an op so it is an intermediate tf.grad disposes after forward. */
function tfGrad(x: tf.Tensor4D, r: tf.Tensor, o: MaxPoolOptions): tf.Tensor {
  return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool(tf.mul(a, 1) as tf.Tensor4D, o), r)))(x);
}

function run(xv: Float64Array, xs: Shape4, rv: Float64Array, o: MaxPoolOptions): { y: Float32Array; ys: number[]; g: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(xv), xs);
    const y = maxPool(x, o);
    const r = tf.tensor(Float32Array.from(rv), y.shape);
    return { y: y.dataSync() as Float32Array, ys: y.shape, g: tfGrad(x, r, o).dataSync() as Float32Array };
  });
}

describe.each(TEST_BACKENDS)('maxPool on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each(CASES)('size $size stride $stride pad $pad ($why)', (c) => {
    it.each(SHAPES)('matches the reference forward and finite differences on distinct values, %i×%i×%i×%i', (...xs) => {
      // float32-exact inputs, so the float64 reference sees what the tensor holds.
      const x = Float64Array.from(Float32Array.from(distinct(xs[0] * xs[1] * xs[2] * xs[3], 3 + xs[1])));
      const e = reference(x, xs, c);
      const r = Float64Array.from(Float32Array.from(randomArray(e.y.length, 5 + xs[2])));
      const out = run(x, xs, r, c);
      expect(out.ys).toEqual(e.ys);
      expect(maxRelError(out.y, e.y, FLOOR)).toBeLessThan(1e-7);
      const fd = finiteDiff((v) => dot(reference(v, xs, c).y, r), x, 1e-6);
      expect(maxRelError(out.g, fd, FLOOR)).toBeLessThan(TOL);
    });

    it.each(SHAPES)('routes ties to the first maximum in row-major order, %i×%i×%i×%i', (...xs) => {
      const x = quantised(xs[0] * xs[1] * xs[2] * xs[3], 7 + xs[1]);
      const e = reference(x, xs, c);
      const r = Float64Array.from(Float32Array.from(randomArray(e.y.length, 9 + xs[2])));
      const out = run(x, xs, r, c);
      expect(maxRelError(out.y, e.y, FLOOR)).toBeLessThan(1e-7);
      expect(maxRelError(out.g, routedGrad(e.arg, r, x.length), FLOOR)).toBeLessThan(TOL);
    });
  });

  it('has inputs that exercise ties and negative windows (tfjs own gradient disagrees on wasm)', () => {
    const xs: Shape4 = [2, 8, 8, 4];
    const o = CASES[1]!;
    const x = quantised(xs[0] * xs[1] * xs[2] * xs[3], 15);
    const e = reference(x, xs, o);
    let negative = 0;
    let tied = 0;
    for (let i = 0; i < e.y.length; i++) if (e.y[i]! < 0) negative++;
    // A tie moves the argmax when later elements get a tiny edge: count the windows where it moves.
    const rev = reference(x.map((v, i) => v + i * 1e-9), xs, o);
    for (let i = 0; i < e.arg.length; i++) if (rev.arg[i] !== e.arg[i]) tied++;
    expect(negative).toBeGreaterThan(e.y.length / 10);
    expect(tied).toBeGreaterThan(e.y.length / 10);
    const builtin = tf.tidy(() => {
      const xt = tf.tensor4d(Float32Array.from(x), xs);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, o.size, o.stride, o.pad)))(xt).dataSync();
    });
    const ones = new Float64Array(e.y.length).fill(1);
    const err = maxRelError(builtin, routedGrad(e.arg, ones, x.length), FLOOR);
    if (backend === 'wasm') expect(err).toBeGreaterThan(0.5);
    else expect(err).toBeLessThan(TOL);
  });

  it('rejects options PyTorch rejects', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => maxPool(x, { size: 3, stride: 1, pad: 2 })).toThrow(/pad/);
    expect(() => maxPool(x, { size: 0, stride: 1, pad: 0 })).toThrow(/size/);
    expect(() => maxPool(x, { size: 7, stride: 1, pad: 1 })).toThrow(/smaller/);
    x.dispose();
  });

  it('keeps the tensor count flat over repeated forward + backward passes', () => {
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const step = (o: MaxPoolOptions) =>
      tf.tidy(() => {
        const r = tf.onesLike(maxPool(x, o));
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
      const r = tf.tidy(() => tf.onesLike(maxPool(x, o)));
      const info = await tf.profile(() => tfGrad(x, r, o));
      info.kernelNames.forEach((n) => names.add(n));
      tf.dispose([r, info.result as tf.Tensor]);
    }
    expect(names.has('MaxPool')).toBe(true);
    expect([...names].filter((n) => /Backprop|Grad/.test(n))).toEqual([]);
    x.dispose();
  });
});
