// The first-order bi-level search loop: per step an α update on the α half, then a w update on the w half.
import * as tf from '@tensorflow/tfjs';
import type { ImageBatch, SearchData } from '../../shared/batches';
import type { SearchEpochMetrics, StepProgress } from '../../shared/metrics';
import type { SearchConfig } from '../../shared/search-config';
import { reductionIndices } from '../../shared/search-space';
import { collective, sumAcrossPeers } from './collective';
import { releaseSavedTensors } from './kernels/saved-tensors';
import { explainEngineError } from './kernels/wasm-heap';
import { setWeightGradients } from './search-cell-fused';
import { crossEntropy, correctCount } from './loss';
import { readScalar, readScalars } from './readback';
import { clipGradNorm } from './optim/sgd';
import { cosineLr } from './schedule';
import { NodeNormProbe, zeroRatio } from './search-metrics';
import { SearchState, stateFromCheckpoint, type SearchCheckpointMeta, type SearchPosition } from './search-state';

export type SearchEvent =
  | { type: 'start'; parameters: number; position: SearchPosition; epochs: number; stepsPerEpoch: number }
  | { type: 'step'; progress: StepProgress }
  | { type: 'epoch'; metrics: SearchEpochMetrics; checkpoint: Uint8Array; position: SearchPosition }
  | { type: 'stopped'; checkpoint: Uint8Array; position: SearchPosition }
  | { type: 'done' };

export interface SearchJob {
  config: SearchConfig;
  data: SearchData;
  /** Checkpoint bytes to continue from (the same trajectory as if never interrupted). */
  resume?: Uint8Array;
  /** Polled between steps; true → a final checkpoint at the step boundary, then a `stopped` event. */
  shouldStop?: () => boolean;
  /** Emit a `step` event every n steps (default 1). */
  progressEvery?: number;
}

export function batchTensors(b: ImageBatch): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return { x: tf.tensor4d(b.x, [b.n, b.shape[0], b.shape[1], b.shape[2]]), y: tf.tensor1d(b.y, 'int32') };
}

/** This data-parallel peer's rows of a batch (rank r of R takes ⌊n·r/R⌋ … ⌊n·(r+1)/R⌋); the batch itself without peers. */
export function peerBatch(b: ImageBatch): ImageBatch {
  const c = collective();
  if (!c) return b;
  const from = Math.floor((b.n * c.rank) / c.size);
  const to = Math.floor((b.n * (c.rank + 1)) / c.size);
  const per = b.shape[0] * b.shape[1] * b.shape[2];
  return { x: b.x.subarray(from * per, to * per), y: b.y.subarray(from, to), n: to - from, shape: b.shape };
}

export function stepsPerEpoch(config: SearchConfig, data: SearchData): number {
  const full = data.w.stepsPerEpoch(config.batchSize);
  return config.stepsPerEpoch > 0 ? Math.min(full, config.stepsPerEpoch) : full;
}

/** Gradients of `loss` with respect to `vars`, keyed by our parameter names. */
function namedGrads(vars: Map<string, tf.Variable>, loss: () => tf.Scalar): { value: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const list = [...vars.values()];
  const { value, grads } = tf.variableGrads(loss, list);
  const out = new Map<string, tf.Tensor>();
  for (const [name, v] of vars) {
    const g = grads[v.name];
    if (g) out.set(name, g);
  }
  return { value, grads: out };
}

/**
 * With data-parallel peers (collective.ts) this peer holds `n` of the batch's images: its mean loss is
 * weighted by n / N so that the summed gradients are those of the whole batch's mean loss.
 */
function peerShare(n: number): number {
  return collective() ? n / sumAcrossPeers(Float64Array.of(n))[0]! : 1;
}

/** Gradients summed over the peers (in map order, the same on every peer); the map itself without peers. */
function sumGradsAcrossPeers(grads: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  if (!collective()) return grads;
  const list = [...grads.values()];
  const flat = new Float64Array(list.reduce((n, g) => n + g.size, 0));
  let o = 0;
  for (const g of list) {
    flat.set(g.dataSync(), o);
    o += g.size;
  }
  const sum = sumAcrossPeers(flat);
  const out = new Map<string, tf.Tensor>();
  o = 0;
  for (const [name, g] of grads) {
    out.set(name, tf.tensor(Float32Array.from(sum.subarray(o, o + g.size)), g.shape));
    o += g.size;
  }
  return out;
}

const peerTotal = (v: number) => (collective() ? sumAcrossPeers(Float64Array.of(v))[0]! : v);

/**
 * One α step (first-order: ∇_α L_val(w, α) at the current w), Adam. With peers, x and y are this peer's
 * share of the batch. The update is queued on the device; the loss is read back afterwards (asynchronously).
 */
export async function alphaStep(state: SearchState, x: tf.Tensor4D, y: tf.Tensor1D): Promise<number> {
  // Only α is differentiated: the fused cells skip their weight gradients.
  setWeightGradients(false);
  let value: tf.Scalar;
  try {
    value = tf.tidy(() => {
      const share = peerShare(x.shape[0]);
      const { value, grads } = namedGrads(state.alphaVars, () => {
        const loss = crossEntropy(state.net.forward(x, state.arch.weights(), { training: true }), y);
        return share === 1 ? loss : tf.mul(loss, share);
      });
      state.adam.step(sumGradsAcrossPeers(grads), state.config.alpha.lr);
      return value;
    });
  } finally {
    setWeightGradients(true);
    // Whatever a fused cell kept for a backward that did not run (nothing on its path needed it).
    releaseSavedTensors();
  }
  return peerTotal(await readScalar(value));
}

/** One w step: SGD with momentum, weight decay and gradient-norm clipping. Returns loss and correct count. */
export async function weightStep(state: SearchState, x: tf.Tensor4D, y: tf.Tensor1D, lr: number): Promise<{ loss: number; correct: number }> {
  let out: tf.Scalar[];
  try {
    out = tf.tidy(() => {
      let logits: tf.Tensor2D | undefined;
      const share = peerShare(x.shape[0]);
      const { value, grads } = namedGrads(state.net.params.trainable, () => {
        logits = tf.keep(state.net.forward(x, state.arch.weights(), { training: true }));
        const loss = crossEntropy(logits, y);
        return share === 1 ? loss : tf.mul(loss, share);
      });
      const clipped = clipGradNorm(sumGradsAcrossPeers(grads), state.config.w.gradClip);
      state.sgd.step(clipped.grads, lr);
      const correct = correctCount(logits!, y);
      logits!.dispose();
      return [value, correct];
    });
  } finally {
    releaseSavedTensors();
  }
  const [loss, correct] = await readScalars(out);
  return { loss: peerTotal(loss!), correct: peerTotal(correct!) };
}

/** Eval-mode loss/accuracy over the α half (the reference's validation), and node norms on its first batch. */
async function evaluate(state: SearchState, data: SearchData, epoch: number, steps: number): Promise<{ loss: number; acc: number; nodeNorms: SearchEpochMetrics['nodeNorms'] }> {
  const { config } = state;
  const valSteps = Math.min(steps, data.alpha.stepsPerEpoch(config.batchSize));
  const probe = new NodeNormProbe(new Set(reductionIndices(config.space.cells)));
  let loss = 0;
  let correct = 0;
  let images = 0;
  // With data-parallel peers each evaluates every size-th batch (rank 0 the first, with the probe), then
  // the sums are shared: the same figures as one process, in a fraction of the time. Evaluation mode
  // normalises with running statistics, so no batch-spanning exchange happens inside the forward.
  const c = collective();
  for (let s = c ? c.rank : 0; s < valSteps; s += c ? c.size : 1) {
    const batch = await data.alpha.batch(epoch, s, config.batchSize);
    const sums = tf.tidy(() => {
      const { x, y } = batchTensors(batch);
      const logits = state.net.forward(x, state.arch.weights(), { training: false }, s === 0 ? probe : undefined);
      return [crossEntropy(logits, y), correctCount(logits, y)];
    });
    const [l, k] = await readScalars(sums);
    loss += l! * batch.n;
    correct += k!;
    images += batch.n;
  }
  if (c) {
    const t = sumAcrossPeers(Float64Array.of(loss, correct, images));
    [loss, correct, images] = [t[0]!, t[1]!, t[2]!];
  }
  return { loss: loss / Math.max(images, 1), acc: correct / Math.max(images, 1), nodeNorms: await probe.collect() };
}

/**
 * Run (or resume) a search as an async stream of events. The caller writes checkpoint bytes to disk;
 * every step runs inside tf.tidy, so the tensor count stays flat across steps.
 */
export async function* runSearch(job: SearchJob): AsyncGenerator<SearchEvent> {
  const { data } = job;
  let state: SearchState;
  let position: SearchPosition = { epoch: 0, step: 0 };
  let partial: SearchCheckpointMeta['partial'] = { loss: 0, correct: 0, images: 0, steps: 0, seconds: 0 };
  let history: SearchEpochMetrics[] = [];
  if (job.resume) {
    const r = stateFromCheckpoint(job.resume);
    state = r.state;
    position = r.meta.position;
    partial = r.meta.partial;
    history = r.meta.history as SearchEpochMetrics[];
  } else {
    state = new SearchState(job.config, [...data.w.shape] as [number, number, number], data.w.numClasses);
  }
  const config = state.config;
  try {
    const steps = stepsPerEpoch(config, data);
    const alphaSteps = Math.max(1, data.alpha.stepsPerEpoch(config.batchSize));
    yield { type: 'start', parameters: state.net.params.count(), position, epochs: config.epochs, stepsPerEpoch: steps };
    const t0 = performance.now();
    let stepsDone = 0;
    const totalRemaining = (config.epochs - position.epoch) * steps - position.step;
    const every = Math.max(1, job.progressEvery ?? 1);
    for (let epoch = position.epoch; epoch < config.epochs; epoch++) {
      const lr = cosineLr(epoch, config.epochs, config.w.lr, config.w.lrMin);
      const frozen = epoch < config.alpha.freezeEpochs;
      let epochStart = performance.now();
      for (let step = epoch === position.epoch ? position.step : 0; step < steps; step++) {
        if (job.shouldStop?.()) {
          partial.seconds += (performance.now() - epochStart) / 1000;
          const at = { epoch, step };
          yield { type: 'stopped', position: at, checkpoint: await state.toCheckpoint({ position: at, partial, history }) };
          return;
        }
        // α before w, as the reference's architect.step precedes the weight update.
        if (!frozen) {
          const ab = await data.alpha.batch(epoch, step % alphaSteps, config.batchSize);
          const { x, y } = batchTensors(peerBatch(ab));
          try {
            await alphaStep(state, x, y);
          } finally {
            tf.dispose([x, y]);
          }
        }
        const wb = await data.w.batch(epoch, step, config.batchSize);
        const { x, y } = batchTensors(peerBatch(wb));
        let r: { loss: number; correct: number };
        try {
          r = await weightStep(state, x, y, lr);
        } finally {
          tf.dispose([x, y]);
        }
        if (!Number.isFinite(r.loss)) throw new Error(`the loss became ${r.loss} at epoch ${epoch}, step ${step}`);
        partial.loss += r.loss * wb.n;
        partial.correct += r.correct;
        partial.images += wb.n;
        partial.steps += 1;
        stepsDone += 1;
        if (stepsDone % every === 0 || step === steps - 1) {
          const elapsed = (performance.now() - t0) / 1000;
          yield {
            type: 'step',
            progress: { epoch, step, stepsPerEpoch: steps, epochs: config.epochs, loss: r.loss, elapsed, eta: (elapsed / stepsDone) * (totalRemaining - stepsDone) },
          };
        }
      }
      const val = await evaluate(state, data, epoch, steps);
      const softmax = await state.arch.softmaxArrays();
      const seconds = partial.seconds + (performance.now() - epochStart) / 1000;
      const hasReduce = reductionIndices(config.space.cells).length > 0;
      const metrics: SearchEpochMetrics = {
        epoch,
        lr,
        alphaFrozen: frozen,
        trainLoss: partial.loss / Math.max(partial.images, 1),
        trainAcc: partial.correct / Math.max(partial.images, 1),
        valLoss: val.loss,
        valAcc: val.acc,
        zeroRatio: {
          normal: zeroRatio(softmax.normal, config.space.ops),
          reduce: hasReduce ? zeroRatio(softmax.reduce, config.space.ops) : null,
        },
        alphaSoftmax: softmax,
        nodeNorms: val.nodeNorms,
        steps: partial.steps,
        images: partial.images,
        seconds,
      };
      history.push(metrics);
      partial = { loss: 0, correct: 0, images: 0, steps: 0, seconds: 0 };
      epochStart = performance.now();
      const next = { epoch: epoch + 1, step: 0 };
      yield { type: 'epoch', metrics, position: next, checkpoint: await state.toCheckpoint({ position: next, partial, history }) };
    }
    yield { type: 'done' };
  } catch (e) {
    throw explainEngineError(e);
  } finally {
    state.dispose();
  }
}
