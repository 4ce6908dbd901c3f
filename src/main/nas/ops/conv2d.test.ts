// conv2d vs a float64 loop reference and its finite differences, on every test backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends';
import { conv2dRef, type Shape4 } from '../testing/op-references';
import { dot, finiteDiff, maxRelError, randomArray } from '../testing/reference';
import { conv2d } from './conv2d';

interface Case {
  kh: number;
  kw: number;
  stride: number;
  pad: number;
  why: string;
}

const TOL = 1e-4;
const FLOOR = 1e-2; // float32 sums of up to ~300 products of O(1) values: ~1e-6 absolute error
const COUT = 4;

const reference = (x: Float64Array, xs: Shape4, f: Float64Array, c: Case) => conv2dRef(x, xs, f, c.kh, c.kw, COUT, c);


const CASES: Case[] = [
  { kh: 1, kw: 1, stride: 1, pad: 0, why: '1×1 (auxiliary head)' },
  { kh: 2, kw: 2, stride: 1, pad: 0, why: '2×2 valid (auxiliary head)' },
  { kh: 3, kw: 3, stride: 1, pad: 1, why: 'stem 3×3' },
  { kh: 3, kw: 3, stride: 2, pad: 1, why: 'stem 3×3 stride 2' },
  { kh: 5, kw: 5, stride: 2, pad: 2, why: '5×5 stride 2' },
  { kh: 1, kw: 1, stride: 2, pad: 0, why: '1×1 stride 2' },
  { kh: 3, kw: 3, stride: 2, pad: 0, why: 'valid stride 2, unused trailing rows' },
  { kh: 3, kw: 2, stride: 1, pad: 2, why: 'non-square kernel, pad beyond the kernel reach' },
];
const SHAPES: Shape4[] = [
  [2, 7, 7, 3],
  [2, 8, 8, 3],
  [3, 6, 5, 2],
];

function tfGrads(x: tf.Tensor4D, f: tf.Tensor4D, r: tf.Tensor4D, c: Case): tf.Tensor[] {
  // x and f go through an op: as intermediates, tf.grads disposes them after the forward pass.
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2d(tf.mul(a, 1) as tf.Tensor4D, tf.mul(b, 1) as tf.Tensor4D, c), r)))([x, f]);
}

describe.each(TEST_BACKENDS)('conv2d on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each(CASES)('$kh×$kw stride $stride pad $pad ($why)', (c) => {
    it.each(SHAPES)('matches the reference forward and gradients on %i×%i×%i×%i', (...xs) => {
      const xv = randomArray(xs[0] * xs[1] * xs[2] * xs[3], 21 + xs[1]);
      const fv = randomArray(c.kh * c.kw * xs[3] * COUT, 22 + c.kh);
      const { y: ey, ys } = reference(xv, xs, fv, c);
      const rv = randomArray(ey.length, 23);
      const egx = finiteDiff((v) => dot(reference(v, xs, fv, c).y, rv), xv);
      const egf = finiteDiff((v) => dot(reference(xv, xs, v, c).y, rv), fv);
      const x = tf.tensor4d(Float32Array.from(xv), xs);
      const f = tf.tensor4d(Float32Array.from(fv), [c.kh, c.kw, xs[3], COUT]);
      const r = tf.tensor4d(Float32Array.from(rv), ys);
      const y = conv2d(x, f, c);
      expect(y.shape).toEqual(ys);
      expect(maxRelError(y.dataSync(), ey, FLOOR)).toBeLessThan(TOL);
      const [gx, gf] = tfGrads(x, f, r, c);
      expect(maxRelError(gx!.dataSync(), egx, FLOOR)).toBeLessThan(TOL);
      expect(maxRelError(gf!.dataSync(), egf, FLOOR)).toBeLessThan(TOL);
      tf.dispose([x, f, r, y, gx!, gf!]);
    });
  });

  it('keeps the tensor count flat over repeated forward + backward passes', () => {
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 3, COUT]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      for (const c of [CASES[2]!, CASES[3]!, CASES[6]!]) {
        tf.tidy(() => {
          tfGrads(x, f, tf.onesLike(conv2d(x, f, c)), c);
        });
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f]);
  });

  it('builds its gradients from forward kernels only (no backprop kernels, which wasm lacks)', async () => {
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 3, COUT]) as tf.Tensor4D;
    const r = tf.tidy(() => tf.onesLike(conv2d(x, f, CASES[3]!)));
    const info = await tf.profile(() => tfGrads(x, f, r, CASES[3]!));
    expect(info.kernelNames).toContain('Conv2D');
    expect(info.kernelNames.filter((n) => /Backprop|Grad/.test(n))).toEqual([]);
    tf.dispose([x, f, r, ...(info.result as tf.Tensor[])]);
  });
});
