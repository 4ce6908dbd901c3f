// Cross-entropy (with optional label smoothing) and accuracy on logits.
import * as tf from '@tensorflow/tfjs';

/** Mean cross-entropy of logits [N, K] against integer labels; smoothing ε spreads ε/K over all classes. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, smoothing = 0): tf.Scalar {
  const k = logits.shape[1];
  let target: tf.Tensor2D = tf.oneHot(labels, k) as tf.Tensor2D;
  if (smoothing > 0) target = tf.add(tf.mul(target, 1 - smoothing), smoothing / k);
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
}

/**
 * Number of rows whose arg-max equals the label (top-1), or whose label is among the k largest, as an int32
 * scalar on the device (read it with readScalars, together with the loss: one readback per step).
 */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D, k = 1): tf.Scalar {
  return tf.tidy(() => {
    if (k === 1) return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32'));
    const { indices } = tf.topk(logits, Math.min(k, logits.shape[1]));
    const hit = tf.any(tf.equal(indices, tf.expandDims(labels, 1)), 1);
    return tf.sum(tf.cast(hit, 'int32'));
  });
}
