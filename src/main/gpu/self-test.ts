// First-use self-test: one supernet step on the GPU backend and on cpu in the same page; gradients must agree.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../shared/random';
import { searchConfig } from '../../shared/search-config';
import { PRIMITIVES } from '../../shared/search-space';
import { crossEntropy } from '../nas/loss';
import { SearchState } from '../nas/search-state';
import { reactivate } from './gpu-backend';
import { SELF_TEST_TOLERANCE, type GpuBackend, type SelfTestReport } from './protocol';

/**
 * Every operation of the catalogue (dilated and stride-2 ones included: cells 3 has two reduction
 * cells), node normalisation on, 8×8 images, batch 4: small enough for a software GPU, and it runs
 * every kernel a real search runs.
 */
const CONFIG = searchConfig({
  space: { ops: [...PRIMITIVES], cells: 3, channels: 4, nodes: 2 },
  nodeNormalization: true,
  batchSize: 4,
  seed: 11,
  alpha: { freezeEpochs: 0 },
});
const SHAPE: [number, number, number] = [8, 8, 3];
const CLASSES = 4;

/**
 * Loss and gradients (α and weights together, by parameter name) of one training-mode step on the active
 * backend, read back asynchronously (so the test also means something where dataSync does not work).
 */
export async function stepGradients(): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const rng = new Rng(5);
  const n = CONFIG.batchSize;
  const xv = Float32Array.from({ length: n * SHAPE[0] * SHAPE[1] * SHAPE[2] }, () => rng.normal());
  const yv = Int32Array.from({ length: n }, () => rng.int(CLASSES));
  const state = new SearchState(CONFIG, SHAPE, CLASSES);
  const vars = new Map<string, tf.Variable>([...state.alphaVars, ...state.net.params.trainable]);
  let kept: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
  try {
    kept = tf.tidy(() => {
      const x = tf.tensor4d(xv, [n, ...SHAPE]);
      const y = tf.tensor1d(yv, 'int32');
      return tf.variableGrads(() => crossEntropy(state.net.forward(x, state.arch.weights(), { training: true }), y), [...vars.values()]);
    });
    const out = new Map<string, Float32Array>();
    for (const [name, v] of vars) {
      const g = kept.grads[v.name];
      if (g) out.set(name, (await g.data()) as Float32Array);
    }
    return { loss: (await kept.value.data())[0]!, grads: out };
  } finally {
    if (kept) tf.dispose([kept.value, ...Object.values(kept.grads)]);
    state.dispose();
  }
}

/** max|a − b| / max|b| per tensor; the worst tensor. A tensor whose cpu gradient is all zero compares on the largest tensor's scale. */
export function compareGradients(got: Map<string, Float32Array>, want: Map<string, Float32Array>): { maxRelative: number; worst: string; tensors: number } {
  let globalScale = 0;
  for (const g of want.values()) for (const v of g) globalScale = Math.max(globalScale, Math.abs(v));
  let maxRelative = 0;
  let worst = '';
  for (const [name, b] of want) {
    const a = got.get(name);
    if (!a || a.length !== b.length) return { maxRelative: Infinity, worst: `${name} (missing or misshapen)`, tensors: want.size };
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
      scale = Math.max(scale, Math.abs(b[i]!));
    }
    const rel = diff / Math.max(scale, 1e-3 * globalScale, 1e-30);
    if (rel > maxRelative || worst === '') {
      maxRelative = rel;
      worst = name;
    }
  }
  return { maxRelative, worst, tensors: want.size };
}

/** Run the step on cpu and on `backend` (left active afterwards) and compare. */
export async function runSelfTest(backend: GpuBackend): Promise<SelfTestReport> {
  const t0 = performance.now();
  await reactivate('cpu');
  const reference = await stepGradients();
  await reactivate(backend);
  const got = await stepGradients();
  const cmp = compareGradients(got.grads, reference.grads);
  const lossRel = Math.abs(got.loss - reference.loss) / Math.max(Math.abs(reference.loss), 1e-6);
  const maxRelative = Math.max(cmp.maxRelative, lossRel);
  return {
    passed: maxRelative <= SELF_TEST_TOLERANCE,
    tolerance: SELF_TEST_TOLERANCE,
    maxRelative,
    worst: lossRel > cmp.maxRelative ? 'loss' : cmp.worst,
    tensors: cmp.tensors,
    loss: { backend: got.loss, cpu: reference.loss },
    seconds: (performance.now() - t0) / 1000,
  };
}
