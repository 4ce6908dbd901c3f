// depthwiseConv vs a float64 loop reference and its finite differences, on every test backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends';
import { DEPTHWISE_GEOMETRIES, depthwiseRef as reference, type Shape4 } from '../testing/op-references';
import { dot, finiteDiff, maxRelError, randomArray } from '../testing/reference';
import { depthwiseConv, type DepthwiseOptions } from './depthwise-conv';

const TOL = 1e-4;
const FLOOR = 1e-2; // float32 sums of up to ~200 products of O(1) values: ~1e-6 absolute error

const CASES = DEPTHWISE_GEOMETRIES;
type Case = (typeof CASES)[number];
const SHAPES: Shape4[] = [
  [2, 7, 7, 3],
  [2, 8, 8, 4],
  [2, 6, 9, 3],
];

/** Reference output and finite-difference gradients of Σ y·r, computed once per case and shape. */
const expected = new Map<string, { x: Float64Array; f: Float64Array; r: Float64Array; y: Float64Array; ys: Shape4; gx: Float64Array; gf: Float64Array }>();
function expectedFor(c: Case, xs: Shape4, seed: number) {
  const key = `${JSON.stringify(c)}|${xs.join('x')}`;
  let e = expected.get(key);
  if (!e) {
    const x = randomArray(xs[0] * xs[1] * xs[2] * xs[3], seed);
    const f = randomArray(c.k * c.k * xs[3], seed + 1);
    const { y, ys } = reference(x, xs, f, c.k, c);
    const r = randomArray(y.length, seed + 2);
    const gx = finiteDiff((v) => dot(reference(v, xs, f, c.k, c).y, r), x);
    const gf = finiteDiff((v) => dot(reference(x, xs, v, c.k, c).y, r), f);
    e = { x, f, r, y, ys, gx, gf };
    expected.set(key, e);
  }
  return e;
}

/** Σ y·r and its gradients; x and f pass through an op so they are intermediates tf.grads disposes after forward. */
function tfGrads(x: tf.Tensor4D, f: tf.Tensor4D, r: tf.Tensor4D, o: DepthwiseOptions): tf.Tensor[] {
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(depthwiseConv(tf.mul(a, 1) as tf.Tensor4D, tf.mul(b, 1) as tf.Tensor4D, o), r)))([x, f]);
}

describe.each(TEST_BACKENDS)('depthwiseConv on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each(CASES)('k$k stride $stride dilation $dilation pad $pad ($why)', (c) => {
    it.each(SHAPES)('matches the reference forward and gradients on %i×%i×%i×%i', (...xs) => {
      const e = expectedFor(c, xs, 11 + xs[1] * 3 + xs[2]);
      const x = tf.tensor4d(Float32Array.from(e.x), xs);
      const f = tf.tensor4d(Float32Array.from(e.f), [c.k, c.k, xs[3], 1]);
      const r = tf.tensor4d(Float32Array.from(e.r), e.ys);
      const y = depthwiseConv(x, f, c);
      expect(y.shape).toEqual(e.ys);
      expect(maxRelError(y.dataSync(), e.y, FLOOR)).toBeLessThan(TOL);
      const [gx, gf] = tfGrads(x, f, r, c);
      expect(maxRelError(gx!.dataSync(), e.gx, FLOOR)).toBeLessThan(TOL);
      expect(maxRelError(gf!.dataSync(), e.gf, FLOOR)).toBeLessThan(TOL);
      tf.dispose([x, f, r, y, gx!, gf!]);
    });
  });

  it('keeps the tensor count flat over repeated forward + backward passes', () => {
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 4, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      for (const o of [CASES[3]!, CASES[7]!, CASES[10]!, CASES[11]!, CASES[13]!]) {
        tf.tidy(() => {
          const r = tf.onesLike(depthwiseConv(x, f, o));
          tfGrads(x, f, r, o);
        });
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f]);
  });

  it('builds its gradients from forward kernels only (no backprop kernels, which wasm lacks)', async () => {
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const f = tf.randomNormal([5, 5, 4, 1]) as tf.Tensor4D;
    const names = new Set<string>();
    for (const o of [CASES[5]!, CASES[9]!, CASES[11]!, CASES[13]!]) {
      const r = tf.tidy(() => tf.onesLike(depthwiseConv(x, f, o)));
      const info = await tf.profile(() => tfGrads(x, f, r, o));
      info.kernelNames.forEach((n) => names.add(n));
      tf.dispose([r, ...(info.result as tf.Tensor[])]);
    }
    expect(names.has('DepthwiseConv2dNative')).toBe(true);
    expect([...names].filter((n) => /Backprop|Grad/.test(n))).toEqual([]);
    tf.dispose([x, f]);
  });
});
