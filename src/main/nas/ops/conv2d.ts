// Dense 2-D convolution with PyTorch's symmetric padding and exact gradients built from forward kernels only.
import * as tf from '@tensorflow/tfjs';
import { adjointAxisPads, crop, explicitPadding, splitPads, symmetricPads, type Pads2D } from './conv-geometry';
import { zeroInsert } from './subsample';

/** PyTorch nn.Conv2d(Cin, Cout, (kh, kw), stride, padding=pad, bias=False) on NHWC; filter [kh, kw, Cin, Cout]. */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D /* [kh, kw, Cin, Cout] */, o: { stride: number; pad: number }): tf.Tensor4D {
  const { stride: s, pad: p } = o;
  if (filter.shape[2] !== x.shape[3]) throw new Error(`conv2d: filter ${String(filter.shape)} does not fit input ${String(x.shape)}`);
  if (!Number.isInteger(s) || s < 1 || !Number.isInteger(p) || p < 0) throw new Error(`conv2d: bad options ${JSON.stringify(o)}`);
  const pads = symmetricPads(p);
  const op = tf.customGrad((xIn: tf.Tensor | tf.GradSaveFunc, fIn: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const x4 = xIn as tf.Tensor4D;
    const f4 = fIn as tf.Tensor4D;
    // Saved, not captured: tf.grads disposes forward intermediates (x may be one) before backprop.
    (save as tf.GradSaveFunc)([x4, f4]);
    const value = tf.conv2d(x4, f4, s, explicitPadding(pads), 'NHWC');
    const gradFunc = (dy: tf.Tensor4D, [xs, fs]: tf.Tensor[]) => [
      inputGrad(dy, x4.shape, fs as tf.Tensor4D, s, pads),
      filterGrad(dy, xs as tf.Tensor4D, f4.shape, s, pads),
    ];
    return { value, gradFunc };
  });
  return op(x, filter) as tf.Tensor4D;
}

/**
 * dx: a stride-1 conv of dy zero-inserted at stride s with the filter flipped spatially and its
 * channel axes swapped ([k, k, Cout, Cin]), padded so the output is exactly x's extent
 * (wasm has no Conv2DBackpropFilter, and webgl/webgpu should run the same code).
 */
function inputGrad(dy: tf.Tensor4D, xShape: number[], f: tf.Tensor4D, s: number, p: Pads2D): tf.Tensor4D {
  const z = zeroInsert(dy, s);
  const [top, bottom] = adjointAxisPads(xShape[1]!, f.shape[0], 1, p.top, z.shape[1]);
  const [left, right] = adjointAxisPads(xShape[2]!, f.shape[1], 1, p.left, z.shape[2]);
  const { pad, crop: c } = splitPads({ top, bottom, left, right });
  const flipped = tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(crop(z, c), flipped, 1, explicitPadding(pad), 'NHWC');
}

/**
 * dW[a,b,i,o] = Σ_{n,h,w} x_p[n, s·h + a, s·w + b, i]·dy[n,h,w,o]: a conv of x laid out [Cin, H, W, N]
 * (batch as channels, so the GEMM reduces over N·Ho·Wo) with dy laid out [Ho, Wo, N, Cout] as the
 * filter at dilation s; a trailing unused pad row at stride > 1 can add taps: cropped.
 */
function filterGrad(dy: tf.Tensor4D, x: tf.Tensor4D, fShape: number[], s: number, p: Pads2D): tf.Tensor4D {
  const [kh, kw, cin, cout] = fShape as [number, number, number, number];
  const xt = tf.transpose(x, [3, 1, 2, 0]);
  const dyt = tf.transpose(dy, [1, 2, 0, 3]);
  let g = tf.conv2d(xt, dyt, 1, explicitPadding(p), 'NHWC', s);
  if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [cin, kh, kw, cout]);
  return tf.transpose(g, [1, 2, 0, 3]);
}
