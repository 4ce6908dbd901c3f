// Shape arithmetic shared by the convolutions: PyTorch output sizes, explicit pads, and the pads of their adjoints.
import * as tf from '@tensorflow/tfjs';

/** Zeros added before/after along height and width; a negative value crops instead. */
export interface Pads2D {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** tfjs' explicit NHWC padding (its own type is not re-exported by the umbrella package). */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

export function symmetricPads(p: number): Pads2D {
  return { top: p, bottom: p, left: p, right: p };
}

/** PyTorch's floor((size + before + after − d·(k−1) − 1)/s) + 1. */
export function convOutSize(size: number, kernel: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((size + before + after - dilation * (kernel - 1) - 1) / stride) + 1;
}

export function explicitPadding(p: Pads2D): ExplicitPadding {
  return [
    [0, 0],
    [p.top, p.bottom],
    [p.left, p.right],
    [0, 0],
  ];
}

/** The non-negative part of the pads (the conv pads these), and what must be cropped first. */
export function splitPads(p: Pads2D): { pad: Pads2D; crop: Pads2D } {
  const pos = (v: number) => Math.max(0, v);
  const neg = (v: number) => Math.max(0, -v);
  return {
    pad: { top: pos(p.top), bottom: pos(p.bottom), left: pos(p.left), right: pos(p.right) },
    crop: { top: neg(p.top), bottom: neg(p.bottom), left: neg(p.left), right: neg(p.right) },
  };
}

/** Crop rows/columns off the border (a slice; returns x itself when there is nothing to crop). */
export function crop(x: tf.Tensor4D, c: Pads2D): tf.Tensor4D {
  if (c.top === 0 && c.bottom === 0 && c.left === 0 && c.right === 0) return x;
  const [n, h, w, ch] = x.shape;
  return tf.slice(x, [0, c.top, c.left, 0], [n, h - c.top - c.bottom, w - c.left - c.right, ch]);
}

/** Zero-pad where positive, crop where negative. */
export function padOrCrop(x: tf.Tensor4D, p: Pads2D): tf.Tensor4D {
  const { pad, crop: c } = splitPads(p);
  const y = crop(x, c);
  if (pad.top === 0 && pad.bottom === 0 && pad.left === 0 && pad.right === 0) return y;
  return tf.pad(y, explicitPadding(pad));
}

/**
 * Pads for the input gradient of a conv with kernel k, dilation d and pads `before` along one axis of
 * length `size`, computed as a stride-1 conv (flipped kernel, dilation d) over dy zero-inserted to
 * length `zLen` (dy[o] at s·o): dx_padded[i] = Σ_a z[i − d·a]·f[a], so the full correlation starts
 * d·(k−1) before z, and its output must cover exactly x's own `size` positions after `before`.
 */
export function adjointAxisPads(size: number, kernel: number, dilation: number, before: number, zLen: number): [number, number] {
  const lead = dilation * (kernel - 1) - before;
  return [lead, size + before - zLen];
}
