// pointwiseConv vs a float64 loop reference and its finite differences, on every test backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends';
import { dot, finiteDiff, maxRelError, nhwc, randomArray } from '../testing/reference';
import { pointwiseConv } from './pointwise-conv';

type Shape4 = [number, number, number, number];

const TOL = 1e-4;
const FLOOR = 1e-2;

/** y[n,h,w,o] = Σ_i x[n,h,w,i]·w[i,o] in float64. */
function reference(x: Float64Array, xs: Shape4, w: Float64Array, cout: number): { y: Float64Array; ys: Shape4 } {
  const [n, h, wd, cin] = xs;
  const ys: Shape4 = [n, h, wd, cout];
  const y = new Float64Array(n * h * wd * cout);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < wd; j++)
        for (let o = 0; o < cout; o++) {
          let acc = 0;
          for (let c = 0; c < cin; c++) acc += x[nhwc(xs, b, i, j, c)]! * w[c * cout + o]!;
          y[nhwc(ys, b, i, j, o)] = acc;
        }
  return { y, ys };
}

const CASES: Array<[Shape4, number]> = [
  [[2, 7, 7, 3], 5],
  [[2, 8, 8, 4], 4],
  [[3, 5, 6, 6], 2],
];

function tfGrads(x: tf.Tensor4D, w: tf.Tensor2D, r: tf.Tensor4D): tf.Tensor[] {
  // x and w go through an op: as intermediates, tf.grads disposes them after the forward pass.
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(pointwiseConv(tf.mul(a, 1) as tf.Tensor4D, tf.mul(b, 1) as tf.Tensor2D), r)))([x, w]);
}

describe.each(TEST_BACKENDS)('pointwiseConv on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(CASES)('matches the reference forward and gradients on %j → %i channels', (xs, cout) => {
    const xv = randomArray(xs[0] * xs[1] * xs[2] * xs[3], 31 + cout);
    const wv = randomArray(xs[3] * cout, 32 + cout);
    const { y: ey, ys } = reference(xv, xs, wv, cout);
    const rv = randomArray(ey.length, 33);
    const egx = finiteDiff((v) => dot(reference(v, xs, wv, cout).y, rv), xv);
    const egw = finiteDiff((v) => dot(reference(xv, xs, v, cout).y, rv), wv);
    const x = tf.tensor4d(Float32Array.from(xv), xs);
    const w = tf.tensor2d(Float32Array.from(wv), [xs[3], cout]);
    const r = tf.tensor4d(Float32Array.from(rv), ys);
    const y = pointwiseConv(x, w);
    expect(y.shape).toEqual(ys);
    expect(maxRelError(y.dataSync(), ey, FLOOR)).toBeLessThan(TOL);
    const [gx, gw] = tfGrads(x, w, r);
    expect(maxRelError(gx!.dataSync(), egx, FLOOR)).toBeLessThan(TOL);
    expect(maxRelError(gw!.dataSync(), egw, FLOOR)).toBeLessThan(TOL);
    tf.dispose([x, w, r, y, gx!, gw!]);
  });

  it('keeps the tensor count flat over repeated forward + backward passes', () => {
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const w = tf.randomNormal([4, 6]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        tfGrads(x, w, tf.onesLike(pointwiseConv(x, w)));
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });

  it('uses plain (untransposed) matMuls only, the fast path on wasm', async () => {
    const x = tf.randomNormal([2, 4, 4, 4]) as tf.Tensor4D;
    const w = tf.randomNormal([4, 6]) as tf.Tensor2D;
    const r = tf.tidy(() => tf.onesLike(pointwiseConv(x, w)));
    const info = await tf.profile(() => tfGrads(x, w, r));
    const matMuls = info.kernels.filter((k) => k.name === 'BatchMatMul');
    expect(matMuls.length).toBe(3); // forward, dx, dW
    // Untransposed operands chain: a's last axis is b's second-to-last (a transposed one would not here).
    for (const k of matMuls) {
      const [a, b] = k.inputShapes as [number[], number[]];
      expect(a[a.length - 1]).toBe(b[b.length - 2]);
    }
    tf.dispose([x, w, r, ...(info.result as tf.Tensor[])]);
  });
});
