// The retrain loop: SGD on the final network (auxiliary loss, drop-path ramp, clip), tested each epoch, resumable.
import * as tf from '@tensorflow/tfjs';
import type { BatchSource, ImageBatch } from '../../shared/batches';
import type { RetrainEpochMetrics, StepProgress } from '../../shared/metrics';
import { dropPathAt, type RetrainConfig } from '../../shared/retrain-config';
import { Rng } from '../../shared/random';
import { countEvalNetwork } from './count';
import { evaluateNetwork, type EvaluationResult } from './evaluate';
import { correctCount, crossEntropy } from './loss';
import { clipGradNorm } from './optim/sgd';
import { explainEngineError } from './kernels/wasm-heap';
import { readScalars } from './readback';
import { wasmRetrainRefusal } from './retrain-memory';
import { cosineLr, exponentialLr } from './schedule';
import { RetrainState, retrainStateFromCheckpoint, type RetrainPartial, type RetrainPosition } from './retrain-state';

/** The two views a retrain reads: the whole training split (augmented, cutout per config) and the test split. */
export interface RetrainData {
  train: BatchSource;
  test: BatchSource;
  classNames: string[];
}

export type RetrainEvent =
  | {
      type: 'start';
      /** Auxiliary head excluded, as the reference reports; with the head beside it. */
      parameters: number;
      parametersWithAuxiliary: number;
      /** Per image at the training input size, auxiliary head excluded. */
      multiplyAdds: number;
      position: RetrainPosition;
      epochs: number;
      stepsPerEpoch: number;
    }
  | { type: 'step'; progress: StepProgress }
  | { type: 'epoch'; metrics: RetrainEpochMetrics; evaluation: EvaluationResult; checkpoint: Uint8Array; position: RetrainPosition }
  | { type: 'stopped'; checkpoint: Uint8Array; position: RetrainPosition }
  | { type: 'done' };

export interface RetrainJob {
  config: RetrainConfig;
  data: RetrainData;
  /** Checkpoint bytes to continue from (the same trajectory as if never interrupted). */
  resume?: Uint8Array;
  /** Polled between steps; true → a final checkpoint at the step boundary, then a `stopped` event. */
  shouldStop?: () => boolean;
  /** Emit a `step` event every n steps (default 1). */
  progressEvery?: number;
}

/** The learning rate of `epoch`: cosine to lrMin (CIFAR recipe) or lr·γ^epoch (ImageNet recipe). */
export function retrainLr(config: RetrainConfig, epoch: number): number {
  const o = config.optim;
  return o.schedule === 'cosine' ? cosineLr(epoch, config.epochs, o.lr, o.lrMin) : exponentialLr(epoch, o.lr, o.gamma);
}

export function retrainStepsPerEpoch(config: RetrainConfig, data: RetrainData): number {
  const full = data.train.stepsPerEpoch(config.batchSize);
  return config.stepsPerEpoch > 0 ? Math.min(full, config.stepsPerEpoch) : full;
}

/** The drop-path uniforms of one step: a stream fixed by (seed, epoch, step), so a resumed step draws the same masks. */
export function dropPathRandom(seed: number, epoch: number, step: number): () => number {
  const rng = Rng.derive(seed, 0xd9, epoch, step);
  return () => rng.next();
}

function batchTensors(b: ImageBatch): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return { x: tf.tensor4d(b.x, [b.n, b.shape[0], b.shape[1], b.shape[2]]), y: tf.tensor1d(b.y, 'int32') };
}

/**
 * One SGD step: loss = CE(logits) + w_aux·CE(aux logits) (label smoothing on both, as the ImageNet
 * recipe's criterion_smooth), gradient-norm clip, momentum and weight decay. Returns the loss and the
 * main classifier's correct count.
 */
export async function retrainStep(
  state: RetrainState,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
  dropPathProb: number,
  random: () => number,
): Promise<{ loss: number; correct: number }> {
  const { config } = state;
  const out = tf.tidy(() => {
    let logits: tf.Tensor2D | undefined;
    const vars = state.net.params.trainable;
    const list = [...vars.values()];
    const { value, grads: byVarName } = tf.variableGrads(() => {
      const out = state.net.forward(x, { training: true, dropPathProb, random });
      logits = tf.keep(out.logits);
      const main = crossEntropy(out.logits, y, config.labelSmoothing);
      return out.auxLogits ? tf.add(main, tf.mul(crossEntropy(out.auxLogits, y, config.labelSmoothing), config.auxiliaryWeight)) : main;
    }, list);
    const grads = new Map<string, tf.Tensor>();
    for (const [name, v] of vars) {
      const g = byVarName[v.name];
      if (g) grads.set(name, g);
    }
    const clipped = clipGradNorm(grads, config.optim.gradClip);
    state.sgd.step(clipped.grads, lr);
    const correct = correctCount(logits!, y);
    logits!.dispose();
    return [value, correct];
  });
  // Read after the update is queued: the device never waits for JavaScript within a step.
  const [loss, correct] = await readScalars(out);
  return { loss: loss!, correct: correct! };
}

/**
 * Run (or resume) a retrain as an async stream of events. The caller writes checkpoint bytes to disk;
 * every step runs inside tf.tidy, so the tensor count stays flat across steps.
 */
export async function* runRetrain(job: RetrainJob): AsyncGenerator<RetrainEvent> {
  const { data } = job;
  let state: RetrainState;
  let position: RetrainPosition = { epoch: 0, step: 0 };
  let partial: RetrainPartial = { loss: 0, correct: 0, images: 0, steps: 0, seconds: 0 };
  let history: RetrainEpochMetrics[] = [];
  if (job.resume) {
    const r = retrainStateFromCheckpoint(job.resume);
    state = r.state;
    position = r.meta.position;
    partial = r.meta.partial;
    history = r.meta.history as RetrainEpochMetrics[];
  } else {
    state = new RetrainState(job.config, [...data.train.shape] as [number, number, number], data.train.numClasses);
  }
  const config = state.config;
  try {
    // On wasm the whole step must fit in one 4 GiB heap: refuse before the first step, saying what would fit.
    if (tf.getBackend() === 'wasm') {
      const refusal = wasmRetrainRefusal({ ...config, inputShape: data.train.shape }, config.batchSize);
      if (refusal) throw new Error(refusal);
    }
    const steps = retrainStepsPerEpoch(config, data);
    const counts = countEvalNetwork(state.net);
    yield {
      type: 'start',
      parameters: counts.parameters,
      parametersWithAuxiliary: counts.parametersWithAuxiliary,
      multiplyAdds: counts.multiplyAdds,
      position,
      epochs: config.epochs,
      stepsPerEpoch: steps,
    };
    const t0 = performance.now();
    let stepsDone = 0;
    const totalRemaining = (config.epochs - position.epoch) * steps - position.step;
    const every = Math.max(1, job.progressEvery ?? 1);
    for (let epoch = position.epoch; epoch < config.epochs; epoch++) {
      const lr = retrainLr(config, epoch);
      const dropPathProb = dropPathAt(config, epoch);
      const epochStart = performance.now();
      for (let step = epoch === position.epoch ? position.step : 0; step < steps; step++) {
        if (job.shouldStop?.()) {
          partial.seconds += (performance.now() - epochStart) / 1000;
          const at = { epoch, step };
          yield { type: 'stopped', position: at, checkpoint: await state.toCheckpoint({ position: at, partial, history }) };
          return;
        }
        const b = await data.train.batch(epoch, step, config.batchSize);
        const { x, y } = batchTensors(b);
        let r: { loss: number; correct: number };
        try {
          r = await retrainStep(state, x, y, lr, dropPathProb, dropPathRandom(config.seed, epoch, step));
        } finally {
          tf.dispose([x, y]);
        }
        if (!Number.isFinite(r.loss)) throw new Error(`the loss became ${r.loss} at epoch ${epoch}, step ${step}`);
        partial.loss += r.loss * b.n;
        partial.correct += r.correct;
        partial.images += b.n;
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
      const evaluation = await evaluateNetwork(state.net, data.test, { batchSize: config.batchSize, maxSteps: config.stepsPerEpoch });
      const metrics: RetrainEpochMetrics = {
        epoch,
        lr,
        dropPathProb,
        trainLoss: partial.loss / Math.max(partial.images, 1),
        trainAcc: partial.correct / Math.max(partial.images, 1),
        testLoss: evaluation.loss,
        testTop1Error: evaluation.top1Error,
        testTop5Error: evaluation.top5Error,
        steps: partial.steps,
        images: partial.images,
        testImages: evaluation.images,
        seconds: partial.seconds + (performance.now() - epochStart) / 1000,
      };
      history.push(metrics);
      partial = { loss: 0, correct: 0, images: 0, steps: 0, seconds: 0 };
      const next = { epoch: epoch + 1, step: 0 };
      yield { type: 'epoch', metrics, evaluation, position: next, checkpoint: await state.toCheckpoint({ position: next, partial, history }) };
    }
    yield { type: 'done' };
  } catch (e) {
    throw explainEngineError(e);
  } finally {
    state.dispose();
  }
}

