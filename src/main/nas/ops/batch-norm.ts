// Batch normalisation with PyTorch's BatchNorm2d semantics on NHWC: closed-form gradients, running statistics kept off the tape.
import * as tf from '@tensorflow/tfjs';
import { collective, sumAllAcrossPeers } from '../collective';

/** PyTorch's running buffers: running = (1 − momentum)·running + momentum·batch statistic. */
export interface BatchNormState {
  runningMean: tf.Variable;
  runningVar: tf.Variable;
  momentum: number /* PyTorch: 0.1 */;
}

export interface BatchNormOptions {
  gamma?: tf.Tensor1D;
  beta?: tf.Tensor1D;
  eps?: number /* 1e-5 */;
  training: boolean;
  state?: BatchNormState;
}

/**
 * PyTorch BatchNorm2d on NHWC. Training normalises with the batch mean and biased variance over N, H, W
 * and, given a state, moves the running statistics towards the batch mean and *unbiased* variance;
 * evaluation normalises with the running statistics. No gamma/beta means non-affine (DARTS' search
 * network). One customGrad with the closed-form backward: a few kernels where autodiff through
 * moments takes a dozen, for an op the supernet runs hundreds of times per step; and tfjs' own
 * batchNorm gradient throws without scale/offset. The running-statistics update happens inside the
 * forward function, where nothing is recorded on the tape and the engine tidies the temporaries.
 */
export function batchNorm(x: tf.Tensor4D, o: BatchNormOptions): tf.Tensor4D {
  const { gamma, beta, training, state } = o;
  const eps = o.eps ?? 1e-5;
  const [n, h, w, c] = x.shape;
  const m = n * h * w;
  for (const [name, t] of [
    ['gamma', gamma],
    ['beta', beta],
    ['runningMean', state?.runningMean],
    ['runningVar', state?.runningVar],
  ] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== c)) throw new Error(`batchNorm: ${name} has shape ${JSON.stringify(t.shape)}, expected [${c}]`);
  }
  if (!training && !state) throw new Error('batchNorm: evaluation mode normalises with running statistics, but no state was given');
  if (training && m < 2) throw new Error(`batchNorm: training needs more than one value per channel, got input ${JSON.stringify(x.shape)}`);
  const affine = gamma !== undefined || beta !== undefined;
  const inputs: tf.Tensor[] = [x];
  if (gamma) inputs.push(gamma);
  if (beta) inputs.push(beta);

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const x4 = args[0] as tf.Tensor4D;
    const g = gamma ? (args[1] as tf.Tensor1D) : undefined;
    const b = beta ? (args[gamma ? 2 : 1] as tf.Tensor1D) : undefined;
    let mean: tf.Tensor1D;
    let variance: tf.Tensor1D;
    // Values per channel over all data-parallel peers (synchronised batch norm; m without peers).
    let mAll = m;
    if (training) {
      const x2 = tf.reshape(x4, [m, c]) as tf.Tensor2D;
      [mean, mAll] = peerMean(channelMeans(x2), m);
      [variance] = peerMean(channelMeans(tf.squaredDifference(x2, mean) as tf.Tensor2D), m);
      if (state) updateRunning(state, mean, variance, mAll);
    } else {
      mean = state!.runningMean as tf.Tensor1D;
      variance = state!.runningVar as tf.Tensor1D;
    }
    const value = tf.batchNorm(x4, mean, variance, b, g, eps);
    // Non-affine: the output is x̂ itself. Affine: keep x and recompute x̂ in the backward (one kernel)
    // rather than hold another activation-sized tensor from forward to backward. Saved, not captured:
    // tf.grads disposes forward intermediates, and the running statistics may be reassigned meanwhile.
    save(g ? [affine ? x4 : value, mean, variance, g] : [affine ? x4 : value, mean, variance]);
    const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
      const [src, mu, v, gs] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D | undefined];
      const dy2 = tf.reshape(dy, [m, c]) as tf.Tensor2D;
      const meanDy = training || beta ? channelMeans(dy2) : undefined;
      let xhat: tf.Tensor | undefined;
      let meanDyXhat: tf.Tensor1D | undefined;
      if (training || gamma) {
        xhat = affine ? tf.batchNorm(src, mu, v, undefined, undefined, eps) : src;
        meanDyXhat = channelMeans(tf.mul(dy2, tf.reshape(xhat, [m, c])) as tf.Tensor2D);
      }
      let dx: tf.Tensor;
      if (training) {
        // dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)): the x̂ term by hand, the rest is itself a batchNorm
        // of u = dy − x̂·mean(dy·x̂) with mean(dy), the batch variance and γ (one fused kernel). With
        // data-parallel peers both means span the whole batch (dγ, dβ below stay this peer's share).
        const [mDy, mDyXhat] = peerMeans([meanDy!, meanDyXhat!], m);
        const u = tf.sub(dy, tf.mul(xhat!, mDyXhat!));
        dx = tf.batchNorm(u as tf.Tensor4D, mDy!, v, undefined, gs, eps);
      } else {
        // Running statistics are constants here: dx = γ·rstd·dy.
        const rstd = tf.rsqrt(tf.add(v, eps));
        dx = tf.mul(dy, gs ? tf.mul(gs, rstd) : rstd);
      }
      const grads = [dx];
      // dγ = Σ dy·x̂, dβ = Σ dy.
      if (gamma) grads.push(tf.mul(meanDyXhat!, m));
      if (beta) grads.push(tf.mul(meanDy!, m));
      return grads;
    };
    return { value, gradFunc };
  });
  return op(...inputs) as tf.Tensor4D;
}

/** A per-channel mean over this peer's m values → the mean over all peers' values, and their count. */
function peerMean(local: tf.Tensor1D, m: number): [tf.Tensor1D, number] {
  if (!collective()) return [local, m];
  const [sums, count] = sumAllAcrossPeers([Float64Array.from(local.dataSync(), (v) => v * m), Float64Array.of(m)]);
  const all = count![0]!;
  return [tf.tensor1d(Float32Array.from(sums!, (v) => v / all)), all];
}

/** Several per-channel means at once (one exchange), each over this peer's m values → over all peers'. */
function peerMeans(locals: tf.Tensor1D[], m: number): tf.Tensor1D[] {
  if (!collective()) return locals;
  const parts = locals.map((t) => Float64Array.from(t.dataSync(), (v) => v * m));
  const [count, ...sums] = sumAllAcrossPeers([Float64Array.of(m), ...parts]);
  return sums.map((s) => tf.tensor1d(Float32Array.from(s, (v) => v / count![0]!)));
}

/** running ← (1 − momentum)·running + momentum·batch, with the unbiased variance (× m/(m − 1)) as PyTorch. */
function updateRunning(state: BatchNormState, mean: tf.Tensor1D, biasedVar: tf.Tensor1D, m: number): void {
  const k = state.momentum;
  state.runningMean.assign(tf.add(tf.mul(state.runningMean, 1 - k), tf.mul(mean, k)));
  state.runningVar.assign(tf.add(tf.mul(state.runningVar, 1 - k), tf.mul(biasedVar, (k * m) / (m - 1))));
}

/**
 * Mean over the rows of [m, C] → [C]. tf.mean over a non-last axis transposes first on the CPU
 * backends (several times the cost of the arithmetic), so: on wasm an [m, 1] average pool (XNNPACK's
 * pooling, the fastest reduction there; a matMul would repack x as XNNPACK weights on every call); on
 * cpu a matMul xᵀ·1; elsewhere tf.mean (GPU reductions are trees, where a pooling window or a matMul
 * over m would be a long serial loop per channel).
 */
function channelMeans(t: tf.Tensor2D): tf.Tensor1D {
  const [m, c] = t.shape;
  switch (tf.getBackend()) {
    case 'wasm':
      return tf.reshape(tf.avgPool(tf.reshape(t, [1, m, 1, c]) as tf.Tensor4D, [m, 1], 1, 'valid'), [c]);
    case 'cpu':
      return tf.reshape(tf.div(tf.matMul(t, tf.ones([m, 1]), true, false), m), [c]);
    default:
      return tf.mean(t, 0);
  }
}
