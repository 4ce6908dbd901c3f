// Stride-2 subsampling x[:, o::2, o::2, :] and its adjoint (zero insertion), from forward kernels only.
import * as tf from '@tensorflow/tfjs';
import { padOrCrop } from './conv-geometry';

/**
 * Spread x over a grid `factor` times larger, x[n, i, j] landing at (factor·i + offset, factor·j + offset)
 * and zeros elsewhere: [N, H, W, C] → [N, factor·H, factor·W, C]. Two rank-3 pads on reshaped views
 * (rank ≤ 4 keeps wasm on its fast paths; tfjs has no scatter with a gradient on every backend).
 */
export function zeroInsert(x: tf.Tensor4D, factor: number, offset = 0): tf.Tensor4D {
  if (!Number.isInteger(factor) || factor < 1 || !Number.isInteger(offset) || offset < 0 || offset >= factor) {
    throw new Error(`zeroInsert: need integers factor ≥ 1 and 0 ≤ offset < factor, got ${factor}, ${offset}`);
  }
  if (factor === 1) return x;
  const [n, h, w, c] = x.shape;
  const gap: [number, number] = [offset, factor - 1 - offset];
  // Columns: each pixel's C values get factor−1 zero pixels around them.
  const cols = tf.pad(tf.reshape(x, [n * h * w, 1, c]), [[0, 0], gap, [0, 0]]);
  // Rows: each widened row gets factor−1 zero rows around it.
  const rows = tf.pad(tf.reshape(cols, [n * h, 1, factor * w * c]), [[0, 0], gap, [0, 0]]);
  return tf.reshape(rows, [n, factor * h, factor * w, c]);
}

/**
 * x[:, offset::2, offset::2, :] with an exact gradient. The forward is a stride-2 depthwise conv with a
 * one-hot filter (1×1 for offset 0, 2×2 picking (1,1) for offset 1): one fast kernel on every backend,
 * where tfjs' stridedSlice has no gradient and is slow on wasm. Exact for finite x (x·1 + 0·x'); an
 * infinite neighbour at an even position would turn an offset-1 output into NaN.
 */
export function subsample2(x: tf.Tensor4D, offset: 0 | 1): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  if (offset !== 0 && offset !== 1) throw new Error(`subsample2: offset must be 0 or 1, got ${String(offset)}`);
  if (h < 1 + offset || w < 1 + offset) throw new Error(`subsample2: ${h}×${w} is too small for offset ${offset}`);
  const op = tf.customGrad((xIn: tf.Tensor | tf.GradSaveFunc) => {
    const x4 = xIn as tf.Tensor4D;
    const one = tf.ones([1, 1, c, 1]) as tf.Tensor4D;
    const filter = offset === 0 ? one : tf.pad(one, [[1, 0], [1, 0], [0, 0], [0, 0]]);
    const value = tf.depthwiseConv2d(x4, filter, 2, 'valid');
    const gradFunc = (dy: tf.Tensor4D) => {
      // Adjoint: put dy back on its grid positions; the last row/column of an odd size may need trimming or a zero.
      const z = zeroInsert(dy, 2, offset);
      return padOrCrop(z, { top: 0, bottom: h - z.shape[1], left: 0, right: w - z.shape[2] });
    };
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}
