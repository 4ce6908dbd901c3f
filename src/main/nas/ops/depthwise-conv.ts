// Depthwise convolution with PyTorch geometry and exact gradients built from forward kernels only.
import * as tf from '@tensorflow/tfjs';
import { adjointAxisPads, convOutSize, crop, explicitPadding, splitPads, symmetricPads, type Pads2D } from './conv-geometry';
import { subsample2, zeroInsert } from './subsample';

export interface DepthwiseOptions {
  stride: 1 | 2;
  dilation: number;
  pad: number;
}

/** PyTorch nn.Conv2d(C, C, k, stride, padding=pad, dilation, groups=C, bias=False) on NHWC; filter [k, k, C, 1]. */
export function depthwiseConv(x: tf.Tensor4D, filter: tf.Tensor4D, o: DepthwiseOptions): tf.Tensor4D {
  const { stride: s, dilation: d, pad: p } = o;
  const [kh, kw, fc, mult] = filter.shape;
  if (fc !== x.shape[3] || mult !== 1) throw new Error(`depthwiseConv: filter ${String(filter.shape)} does not fit input ${String(x.shape)}`);
  if ((s !== 1 && s !== 2) || !Number.isInteger(d) || d < 1 || !Number.isInteger(p) || p < 0) {
    throw new Error(`depthwiseConv: bad options ${JSON.stringify(o)}`);
  }
  if (s === 1 || d === 1) return depthwiseCore(x, filter, s, d, symmetricPads(p));
  if (d % 2 === 0) {
    // Stride 2 at even dilation only reads padded positions of one parity, 2j: subsample x at the parity
    // of p first, then run stride 1 at dilation d/2 (tfjs refuses stride 2 with dilation 2; 4× less work).
    const off = (p % 2) as 0 | 1;
    const before = (p + off) / 2;
    const axis = (size: number, k: number): [number, number] => {
      const out = convOutSize(size, k, 2, d, p, p);
      const kept = Math.ceil((size - off) / 2);
      return [before, out + (d / 2) * (k - 1) - before - kept];
    };
    const [top, bottom] = axis(x.shape[1], kh);
    const [left, right] = axis(x.shape[2], kw);
    return depthwiseCore(subsample2(x, off), filter, 1, d / 2, { top, bottom, left, right });
  }
  // Odd dilation > 1 at stride 2 (not a DARTS op): the stride-2 outputs are the even stride-1 outputs.
  return subsample2(depthwiseCore(x, filter, 1, d, symmetricPads(p)), 0);
}

/** y = depthwise(x, f) at stride s, dilation d, pads ≥ 0, with (s, d) never both > 1. */
function depthwiseCore(x: tf.Tensor4D, filter: tf.Tensor4D, s: 1 | 2, d: number, pads: Pads2D): tf.Tensor4D {
  const op = tf.customGrad((xIn: tf.Tensor | tf.GradSaveFunc, fIn: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const x4 = xIn as tf.Tensor4D;
    const f4 = fIn as tf.Tensor4D;
    // Saved, not captured: tf.grads disposes forward intermediates (x may be one) before backprop.
    (save as tf.GradSaveFunc)([x4, f4]);
    const value = tf.depthwiseConv2d(x4, f4, s, explicitPadding(pads), 'NHWC', d);
    const gradFunc = (dy: tf.Tensor4D, [xs, fs]: tf.Tensor[]) => [
      inputGrad(dy, x4.shape, fs as tf.Tensor4D, s, d, pads),
      filterGrad(dy, xs as tf.Tensor4D, f4.shape, s, d, pads),
    ];
    return { value, gradFunc };
  });
  return op(x, filter) as tf.Tensor4D;
}

/**
 * dx: dx_p[i] = Σ_{s·o + d·a = i} dy[o]·f[a] is a stride-1 conv of dy zero-inserted at stride s with the
 * spatially flipped filter at dilation d, its pads chosen so the output is exactly x's extent
 * (dx_p without the pads). Negative pads (p > d·(k−1)) crop the zero-inserted dy instead.
 */
function inputGrad(dy: tf.Tensor4D, xShape: number[], f: tf.Tensor4D, s: number, d: number, p: Pads2D): tf.Tensor4D {
  const z = zeroInsert(dy, s);
  const [top, bottom] = adjointAxisPads(xShape[1]!, f.shape[0], d, p.top, z.shape[1]);
  const [left, right] = adjointAxisPads(xShape[2]!, f.shape[1], d, p.left, z.shape[2]);
  const { pad, crop: c } = splitPads({ top, bottom, left, right });
  return tf.depthwiseConv2d(crop(z, c), tf.reverse(f, [0, 1]), 1, explicitPadding(pad), 'NHWC', d);
}

/**
 * dW[a,b,c] = Σ_{n,o} dy[n,o,c]·x_p[n, s·o + d·(a,b), c]: a depthwise conv over the N·C channels of x
 * (batch moved into channels) with dy as the Ho×Wo filter at dilation s and stride d: one kernel, where
 * per-tap slices cost k² slow slices on wasm. A trailing unused pad row at stride 2 gives one extra tap: cropped.
 */
function filterGrad(dy: tf.Tensor4D, x: tf.Tensor4D, fShape: number[], s: number, d: number, p: Pads2D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [, ho, wo] = dy.shape;
  const [kh, kw] = fShape as [number, number];
  const xt = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
  const dyt = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [ho, wo, n * c, 1]);
  let g = tf.depthwiseConv2d(xt as tf.Tensor4D, dyt as tf.Tensor4D, d, explicitPadding(p), 'NHWC', s);
  if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [1, kh, kw, n * c]);
  return tf.reshape(tf.sum(tf.reshape(g, [kh, kw, n, c]), 2), [kh, kw, c, 1]);
}
