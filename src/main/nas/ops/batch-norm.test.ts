// batchNorm vs a float64 loop reference of PyTorch's BatchNorm2d and its finite differences, on every test backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../testing/backends';
import { dot, finiteDiff, maxRelError, randomArray } from '../testing/reference';
import { batchNorm, type BatchNormState } from './batch-norm';

type Shape4 = [number, number, number, number];

const TOL = 1e-4;
const FLOOR = 1e-2; // float32 sums over up to ~150 values of O(1): ~1e-6 absolute error
const EPS = 1e-5;
const MOMENTUM = 0.1;

interface Stats {
  mean: Float64Array;
  variance: Float64Array;
}

/** Per-channel mean and biased variance over N, H, W (NHWC: channel = index mod C). */
function batchStats(x: Float64Array, c: number): Stats {
  const m = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  x.forEach((v, i) => (mean[i % c] += v / m));
  x.forEach((v, i) => (variance[i % c] += (v - mean[i % c]!) ** 2 / m));
  return { mean, variance };
}

/** PyTorch BatchNorm2d's output: (x − mean)/√(var + eps)·γ + β with batch (training) or given statistics. */
function reference(x: Float64Array, c: number, stats: Stats, gamma?: Float64Array, beta?: Float64Array): Float64Array {
  return x.map((v, i) => {
    const ch = i % c;
    return ((v - stats.mean[ch]!) / Math.sqrt(stats.variance[ch]! + EPS)) * (gamma ? gamma[ch]! : 1) + (beta ? beta[ch]! : 0);
  });
}

function makeState(c: number, mean: Float64Array = new Float64Array(c), variance: Float64Array = new Float64Array(c).fill(1)): BatchNormState {
  return {
    runningMean: tf.variable(tf.tensor1d(Float32Array.from(mean)), false),
    runningVar: tf.variable(tf.tensor1d(Float32Array.from(variance)), false),
    momentum: MOMENTUM,
  };
}

function disposeState(s: BatchNormState): void {
  s.runningMean.dispose();
  s.runningVar.dispose();
}

const SHAPES: Shape4[] = [
  [2, 5, 5, 3],
  [3, 4, 6, 4],
  [2, 7, 7, 3],
];
const KINDS = [
  { affine: 'none', why: 'non-affine (search network)' },
  { affine: 'both', why: 'affine' },
  { affine: 'gamma', why: 'scale only' },
  { affine: 'beta', why: 'shift only' },
] as const;

describe.each(TEST_BACKENDS)('batchNorm on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each(KINDS)('$why', ({ affine }) => {
    describe.each([true, false])('training %s', (training) => {
      it.each(SHAPES)('matches the reference forward and finite differences for x, γ, β on %i×%i×%i×%i', (...xs) => {
        const c = xs[3];
        const size = xs[0] * xs[1] * xs[2] * c;
        // Offset and scaled, with negative values: a mean far from 0 checks the two-pass variance.
        const x = randomArray(size, 51 + xs[1]).map((v) => 1.5 * v + 0.7);
        const gamma: Float64Array | undefined = affine === 'both' || affine === 'gamma' ? randomArray(c, 53).map((v) => v + 0.2) : undefined;
        const beta: Float64Array | undefined = affine === 'both' || affine === 'beta' ? randomArray(c, 55) : undefined;
        const running: Stats = { mean: randomArray(c, 57, 0.5), variance: randomArray(c, 59).map((v) => 1.2 + v) };
        const statsOf = (v: Float64Array) => (training ? batchStats(v, c) : running);
        const y = reference(x, c, statsOf(x), gamma, beta);
        const r = randomArray(size, 61);

        const state = makeState(c, running.mean, running.variance);
        const out = tf.tidy(() => {
          const f32 = (v: Float64Array) => tf.tensor1d(Float32Array.from(v));
          const xt = tf.tensor4d(Float32Array.from(x), xs);
          const rt = tf.tensor4d(Float32Array.from(r), xs);
          const params = [xt, ...(gamma ? [f32(gamma)] : []), ...(beta ? [f32(beta)] : [])];
          const opts = (ps: tf.Tensor[]) => ({
            gamma: gamma ? (ps[1] as tf.Tensor1D) : undefined,
            beta: beta ? (ps[gamma ? 2 : 1] as tf.Tensor1D) : undefined,
            training,
            state,
          });
          const yt = batchNorm(xt, opts(params));
          // Each input passes through an op, so it is an intermediate tf.grads disposes after forward.
          const grads = tf.grads((...ps: tf.Tensor[]) => {
            const through = ps.map((p) => tf.mul(p, 1));
            return tf.sum(tf.mul(batchNorm(through[0] as tf.Tensor4D, opts(through)), rt));
          })(params);
          return { y: yt.dataSync(), grads: grads.map((g) => g.dataSync()) };
        });
        disposeState(state);

        expect(maxRelError(out.y, y, FLOOR)).toBeLessThan(TOL);
        const loss = (v: Float64Array, g = gamma, b = beta) => dot(reference(v, c, statsOf(v), g, b), r);
        expect(maxRelError(out.grads[0]!, finiteDiff(loss, x), FLOOR)).toBeLessThan(TOL);
        let i = 1;
        if (gamma) expect(maxRelError(out.grads[i++]!, finiteDiff((g) => loss(x, g, beta), gamma), FLOOR)).toBeLessThan(TOL);
        if (beta) expect(maxRelError(out.grads[i++]!, finiteDiff((b) => loss(x, gamma, b), beta), FLOOR)).toBeLessThan(TOL);
      });
    });
  });

  it("updates the running statistics as PyTorch: momentum 0.1 towards the batch mean and unbiased variance", () => {
    const xs: Shape4 = [2, 3, 5, 4];
    const c = xs[3];
    const m = xs[0] * xs[1] * xs[2];
    const batches = [randomArray(m * c, 71).map((v) => 2 * v - 0.3), randomArray(m * c, 73).map((v) => 0.5 * v + 1)];
    const state = makeState(c);
    const expectedMean = new Float64Array(c);
    const expectedVar = new Float64Array(c).fill(1);
    for (const x of batches) {
      tf.tidy(() => batchNorm(tf.tensor4d(Float32Array.from(x), xs), { training: true, state }));
      const s = batchStats(x, c);
      for (let ch = 0; ch < c; ch++) {
        expectedMean[ch] = (1 - MOMENTUM) * expectedMean[ch]! + MOMENTUM * s.mean[ch]!;
        expectedVar[ch] = (1 - MOMENTUM) * expectedVar[ch]! + (MOMENTUM * s.variance[ch]! * m) / (m - 1);
      }
      expect(maxRelError(state.runningMean.dataSync(), expectedMean, 1e-3)).toBeLessThan(1e-5);
      expect(maxRelError(state.runningVar.dataSync(), expectedVar, 1e-3)).toBeLessThan(1e-5);
    }
    // Evaluation reads the running statistics and leaves them alone.
    const x = batches[0]!;
    const y = tf.tidy(() => batchNorm(tf.tensor4d(Float32Array.from(x), xs), { training: false, state }).dataSync());
    expect(maxRelError(y, reference(x, c, { mean: expectedMean, variance: expectedVar }), FLOOR)).toBeLessThan(TOL);
    expect(maxRelError(state.runningMean.dataSync(), expectedMean, 1e-3)).toBeLessThan(1e-5);
    disposeState(state);
  });

  it('updates the running statistics once per call inside tf.grads and tf.variableGrads, off the tape', () => {
    const xs: Shape4 = [2, 4, 4, 3];
    const c = xs[3];
    const x = tf.tensor4d(Float32Array.from(randomArray(2 * 4 * 4 * 3, 81).map((v) => v + 0.5)), xs);
    const gamma = tf.variable(tf.tensor1d([1.5, -0.5, 1]));
    const beta = tf.variable(tf.tensor1d([0.1, 0.2, -0.3]));
    const state = makeState(c);
    const s = batchStats(Float64Array.from(x.dataSync()), c);
    const f = (): tf.Scalar => tf.sum(tf.square(batchNorm(x, { gamma, beta, training: true, state })));
    const { value, grads } = tf.variableGrads(f);
    expect(Object.keys(grads).sort()).toEqual([beta.name, gamma.name].sort());
    tf.dispose([value, ...Object.values(grads)]);
    const gx = tf.grads((a: tf.Tensor) => tf.sum(batchNorm(a as tf.Tensor4D, { training: true, state })))([x]);
    tf.dispose(gx);
    // Two updates from zero mean / unit variance with the same batch.
    const mean = Array.from(s.mean, (v) => (1 - (1 - MOMENTUM) ** 2) * v);
    const unbiased = Array.from(s.variance, (v) => (v * 32) / 31);
    const variance = unbiased.map((v) => (1 - MOMENTUM) ** 2 + (1 - (1 - MOMENTUM) ** 2) * v);
    expect(maxRelError(state.runningMean.dataSync(), mean, 1e-3)).toBeLessThan(1e-5);
    expect(maxRelError(state.runningVar.dataSync(), variance, 1e-3)).toBeLessThan(1e-5);
    tf.dispose([x, gamma, beta]);
    disposeState(state);
  });

  it('keeps the tensor count flat over repeated forward + backward passes with running statistics', () => {
    const xs: Shape4 = [2, 6, 6, 4];
    const x = tf.randomNormal(xs) as tf.Tensor4D;
    const gamma = tf.variable(tf.randomNormal([4]) as tf.Tensor1D);
    const beta = tf.variable(tf.randomNormal([4]) as tf.Tensor1D);
    const state = makeState(4);
    const step = () => {
      for (const training of [true, false]) {
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.sum(tf.square(batchNorm(x, { gamma, beta, training, state }))));
          tf.grads((a: tf.Tensor) => tf.sum(tf.square(batchNorm(a as tf.Tensor4D, { training, state }))))([x]);
          expect(Object.keys(grads)).toHaveLength(2);
        });
        tf.dispose(tf.tidy(() => batchNorm(x, { training, state })));
      }
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gamma, beta]);
    disposeState(state);
  });

  it('rejects what PyTorch rejects', () => {
    const x = tf.zeros([2, 3, 3, 2]) as tf.Tensor4D;
    const single = tf.zeros([1, 1, 1, 2]) as tf.Tensor4D;
    const gamma = tf.ones([3]) as tf.Tensor1D;
    expect(() => batchNorm(x, { training: false })).toThrow(/running statistics/);
    expect(() => batchNorm(single, { training: true })).toThrow(/more than one value/);
    expect(() => batchNorm(x, { training: true, gamma })).toThrow(/gamma/);
    tf.dispose([x, single, gamma]);
  });
});
