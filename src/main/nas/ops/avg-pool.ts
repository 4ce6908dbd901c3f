// Average pooling with PyTorch's nn.AvgPool2d semantics on NHWC, and global average pooling, with exact gradients.
import * as tf from '@tensorflow/tfjs';
import { padOrCrop } from './conv-geometry';
import { checkPoolOptions } from './max-pool';
import { zeroInsert } from './subsample';

export interface AvgPoolOptions {
  size: number;
  stride: number;
  pad: number;
  /** PyTorch's count_include_pad: divide by k² (true) or by the number of real elements in the window (false). */
  countIncludePad: boolean;
}

/**
 * PyTorch nn.AvgPool2d(size, stride, padding, ceil_mode=False, count_include_pad) on NHWC.
 * The forward is tfjs' own pool, one kernel: with a numeric pad it averages over the in-bounds elements
 * only (cpu and wasm tested; the webgl and webgpu shaders count in-bounds elements too), which is
 * count_include_pad=False; True pads explicitly and pools 'valid'. The gradient is custom: tfjs'
 * AvgPoolGrad divides by k² even where its forward excluded the padding, so border gradients come out
 * wrong on every backend (and that kernel is a slow scalar loop on wasm).
 */
export function avgPool(x: tf.Tensor4D, o: AvgPoolOptions): tf.Tensor4D {
  const { size: k, stride: s, pad: p, countIncludePad } = o;
  checkPoolOptions('avgPool', x.shape, o);
  const [, h, w] = x.shape;
  const op = tf.customGrad((xIn: tf.Tensor | tf.GradSaveFunc) => {
    const x4 = xIn as tf.Tensor4D;
    const value =
      p === 0
        ? tf.avgPool(x4, k, s, 'valid')
        : countIncludePad
          ? tf.avgPool(
              tf.pad(x4, [
                [0, 0],
                [p, p],
                [p, p],
                [0, 0],
              ]),
              k,
              s,
              'valid',
            )
          : tf.avgPool(x4, k, s, p);
    const gradFunc = (dy: tf.Tensor4D) => avgPoolGrad(dy, h, w, k, s, p, countIncludePad);
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}

/** Mean over H and W: [N, H, W, C] → [N, C] (the classifier's global pooling; tfjs' mean gradient is exact). */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

/**
 * dx[i] = Σ over the windows o that cover i of dy[o]/count[o]. With z = dy·k²/count, that is a stride-1
 * 'valid' average pool of z zero-inserted at stride s and padded by k−1−p before: one fast forward
 * kernel (the window is symmetric, so the adjoint's flip changes nothing). The pad after makes the
 * output exactly x's extent; where it is negative it crops trailing inserted zeros.
 */
function avgPoolGrad(dy: tf.Tensor4D, h: number, w: number, k: number, s: number, p: number, includePad: boolean): tf.Tensor4D {
  const [, ho, wo] = dy.shape;
  const z = includePad || p === 0 ? dy : (tf.mul(dy, countScale(h, w, ho, wo, k, s, p)) as tf.Tensor4D);
  const zi = zeroInsert(z, s);
  const lead = k - 1 - p;
  const padded = padOrCrop(zi, { top: lead, bottom: h + p - s * ho, left: lead, right: w + p - s * wo });
  return tf.avgPool(padded, k, 1, 'valid');
}

/** k² / (real elements of each window): [1, Ho, Wo, 1], separable into row and column counts. */
function countScale(h: number, w: number, ho: number, wo: number, k: number, s: number, p: number): tf.Tensor4D {
  const counts = (size: number, out: number) =>
    Array.from({ length: out }, (_, o) => Math.min(size, s * o - p + k) - Math.max(0, s * o - p));
  const rows = counts(h, ho);
  const cols = counts(w, wo);
  const scale = new Float32Array(ho * wo);
  for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) scale[i * wo + j] = (k * k) / (rows[i]! * cols[j]!);
  return tf.tensor4d(scale, [1, ho, wo, 1]);
}
