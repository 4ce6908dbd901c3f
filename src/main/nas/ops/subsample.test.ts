// subsample2 and zeroInsert vs plain-JS indexing and finite differences, on every test backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends';
import { dot, finiteDiff, maxRelError, nhwc, randomArray } from '../testing/reference';
import { subsample2, zeroInsert } from './subsample';

type Shape4 = [number, number, number, number];

/** x[:, off::2, off::2, :] by plain indexing. */
function reference(x: Float64Array, xs: Shape4, off: number): { y: Float64Array; ys: Shape4 } {
  const [n, h, w, c] = xs;
  const ys: Shape4 = [n, Math.ceil((h - off) / 2), Math.ceil((w - off) / 2), c];
  const y = new Float64Array(ys[0] * ys[1] * ys[2] * ys[3]);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ys[1]; i++)
      for (let j = 0; j < ys[2]; j++) for (let ch = 0; ch < c; ch++) y[nhwc(ys, b, i, j, ch)] = x[nhwc(xs, b, off + 2 * i, off + 2 * j, ch)]!;
  return { y, ys };
}

const SHAPES: Shape4[] = [
  [2, 8, 8, 3],
  [2, 7, 7, 4],
  [3, 6, 9, 3],
  [2, 2, 3, 3],
];

describe.each(TEST_BACKENDS)('subsample2 on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each([0, 1] as const)('offset %i', (off) => {
    it.each(SHAPES)('matches indexing and its gradient on %i×%i×%i×%i', (...xs) => {
      const xv = randomArray(xs[0] * xs[1] * xs[2] * xs[3], 5 + xs[1] + off);
      const { y: ey, ys } = reference(xv, xs, off);
      const rv = randomArray(ey.length, 9 + off);
      const egx = finiteDiff((v) => dot(reference(v, xs, off).y, rv), xv);
      const x = tf.tensor4d(Float32Array.from(xv), xs);
      const r = tf.tensor4d(Float32Array.from(rv), ys);
      const y = subsample2(x, off);
      expect(y.shape).toEqual(ys);
      // A selection is exact in float32: compare with no tolerance beyond rounding of the inputs.
      expect(maxRelError(y.dataSync(), Float32Array.from(ey), 1e-6)).toBe(0);
      const [gx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(subsample2(tf.mul(a, 1) as tf.Tensor4D, off), r)))([x]);
      expect(maxRelError(gx!.dataSync(), egx, 1e-2)).toBeLessThan(1e-6);
      tf.dispose([x, r, y, gx!]);
    });
  });

  it('zeroInsert places x[i] at factor·i + offset and zeros elsewhere', () => {
    const xs: Shape4 = [2, 3, 2, 3];
    const xv = randomArray(36, 3);
    for (const [factor, off] of [
      [2, 0],
      [2, 1],
      [3, 1],
    ] as const) {
      const z = tf.tidy(() => zeroInsert(tf.tensor4d(Float32Array.from(xv), xs), factor, off));
      const zs: Shape4 = [2, 3 * factor, 2 * factor, 3];
      expect(z.shape).toEqual(zs);
      const want = new Float32Array(z.size);
      for (let b = 0; b < 2; b++)
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 2; j++) for (let c = 0; c < 3; c++) want[nhwc(zs, b, factor * i + off, factor * j + off, c)] = xv[nhwc(xs, b, i, j, c)]!;
      expect(Array.from(z.dataSync())).toEqual(Array.from(want));
      z.dispose();
    }
  });

  it('keeps the tensor count flat over repeated forward + backward passes', () => {
    const x = tf.randomNormal([2, 7, 8, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      for (const off of [0, 1] as const) {
        tf.tidy(() => {
          tf.grads((a: tf.Tensor) => tf.sum(tf.square(subsample2(tf.mul(a, 1) as tf.Tensor4D, off))))([x]);
        });
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
