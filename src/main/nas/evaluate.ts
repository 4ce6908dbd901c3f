// Test-split evaluation of a final network: loss, top-1 / top-5 error, per-class accuracy, confusion matrix.
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../../shared/batches';
import type { EvalNetwork } from './eval-network';
import { correctCount, crossEntropy } from './loss';

export interface EvaluationResult {
  images: number;
  /** Mean plain cross-entropy (no label smoothing). */
  loss: number;
  /** Fractions in [0, 1]. */
  top1Error: number;
  /** Error of the top-k prediction, k = min(5, classes). */
  top5Error: number;
  /** Accuracy per true class; null for a class with no test image. */
  perClassAccuracy: (number | null)[];
  /** confusion[true][predicted] = image count. */
  confusion: number[][];
  seconds: number;
}

export interface EvaluateOptions {
  batchSize: number;
  /** Evaluate only the first `maxSteps` batches (0 or absent = the whole split). */
  maxSteps?: number;
  /** Which epoch's batch order to read (a test split's order normally ignores it). */
  epoch?: number;
  onProgress?(images: number, total: number): void;
}

/** Evaluation mode throughout: BN running statistics, no drop-path, no auxiliary head. */
export async function evaluateNetwork(net: EvalNetwork, source: BatchSource, opts: EvaluateOptions): Promise<EvaluationResult> {
  const t0 = performance.now();
  const classes = net.options.numClasses;
  const full = source.stepsPerEpoch(opts.batchSize);
  const steps = opts.maxSteps && opts.maxSteps > 0 ? Math.min(full, opts.maxSteps) : full;
  const total = Math.min(source.size, steps * opts.batchSize);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let loss = 0;
  let top1 = 0;
  let top5 = 0;
  let images = 0;
  for (let s = 0; s < steps; s++) {
    const b = await source.batch(opts.epoch ?? 0, s, opts.batchSize);
    if (b.n === 0) break;
    // Loss, top-k hits and the predictions in one device read: [loss, hits, predicted₀ … predictedₙ₋₁].
    const packed = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [b.n, b.shape[0], b.shape[1], b.shape[2]]);
      const y = tf.tensor1d(b.y, 'int32');
      const { logits } = net.forward(x, { training: false });
      const head = tf.stack([crossEntropy(logits, y), tf.cast(correctCount(logits, y, 5), 'float32')]);
      return tf.concat([head, tf.cast(tf.argMax(logits, 1), 'float32')]);
    });
    let values: Float32Array;
    try {
      values = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
    loss += values[0]! * b.n;
    top5 += values[1]!;
    for (let i = 0; i < b.n; i++) {
      const truth = b.y[i]!;
      const guess = values[2 + i]!;
      if (truth === guess) top1 += 1;
      confusion[truth]![guess]! += 1;
    }
    images += b.n;
    opts.onProgress?.(images, total);
  }
  const denom = Math.max(images, 1);
  return {
    images,
    loss: loss / denom,
    top1Error: 1 - top1 / denom,
    top5Error: 1 - top5 / denom,
    perClassAccuracy: confusion.map((row, c) => {
      const n = row.reduce((a, v) => a + v, 0);
      return n === 0 ? null : row[c]! / n;
    }),
    confusion,
    seconds: (performance.now() - t0) / 1000,
  };
}
