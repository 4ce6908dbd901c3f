// Max pooling with PyTorch's nn.MaxPool2d semantics on NHWC, with an exact gradient built from forward kernels only.
import * as tf from '@tensorflow/tfjs';

export interface MaxPoolOptions {
  size: number;
  stride: number;
  pad: number;
}

/**
 * PyTorch nn.MaxPool2d(size, stride, padding) on NHWC: padding acts as −∞, output floor((H + 2p − k)/s) + 1.
 * The gradient goes to the first maximum of each window in row-major order (PyTorch's CPU rule), and
 * overlapping windows accumulate. tfjs' own MaxPoolGrad is not used: on wasm it starts each window's
 * search at FLT_MIN with `>=`, so windows whose maximum is ≤ 0 route to the window's first position and
 * ties go to the last maximum.
 */
export function maxPool(x: tf.Tensor4D, o: MaxPoolOptions): tf.Tensor4D {
  const { size: k, stride: s, pad: p } = o;
  checkPoolOptions('maxPool', x.shape, o);
  const op = tf.customGrad((xIn: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const x4 = xIn as tf.Tensor4D;
    // A numeric pad is symmetric and skipped by the max on every backend ('same' would pad (0, 1)).
    const value = tf.maxPool(x4, k, s, p);
    // Saved, not captured: tf.grads disposes forward intermediates before backprop.
    (save as tf.GradSaveFunc)([x4, value]);
    const gradFunc = (dy: tf.Tensor4D, [xs, ys]: tf.Tensor[]) => firstMaxGrad(dy, xs as tf.Tensor4D, ys as tf.Tensor4D, k, s, p);
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}

/** PyTorch's constraints (pad ≤ k/2 keeps a real element in every window) and a non-empty output. */
export function checkPoolOptions(name: string, shape: readonly number[], o: { size: number; stride: number; pad: number }): void {
  const { size: k, stride: s, pad: p } = o;
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!int(k, 1) || !int(s, 1) || !int(p, 0) || 2 * p > k) {
    throw new Error(`${name}: need integers size ≥ 1, stride ≥ 1, 0 ≤ pad ≤ size/2, got ${JSON.stringify(o)}`);
  }
  if (shape.length !== 4 || shape[1]! + 2 * p < k || shape[2]! + 2 * p < k) {
    throw new Error(`${name}: input ${JSON.stringify(shape)} is smaller than the ${k}×${k} window with pad ${p}`);
  }
}

/** Stands in for −∞ on the gradient's canvas: finite, so (max − value) and 0·value never make NaN. */
const PAD = -3.4028234663852886e38;

/**
 * dx for max pooling, separably: the first maximum of a window in row-major order lies in the window's
 * first row that holds the maximum, at that row's first maximum. So with hm = the 1×k row maxima,
 * dy is routed to the first of the k rows whose hm equals y, then each row maximum's gradient to the
 * first of its k columns equal to hm; the last row/column takes whatever is left. That is 2(k−1)
 * shifted views instead of k², each taken by a strided 'valid' depthwise conv with a one-hot k×1 or
 * 1×k filter (exact for finite values, a fast native kernel everywhere; wasm's Slice is JS and first
 * copies its whole input). The adjoint of a shift is a pad; zero insertion for the stride is a pad
 * of a reshaped view. Work happens on a canvas of s·Hq × s·Wq: x padded with PAD, covering all of x.
 */
function firstMaxGrad(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, k: number, s: number, p: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [, ho, wo] = y.shape;
  // Coarse cells a window reaches past its first: window offset d = s·q + r with q ≤ reach.
  const reach = Math.ceil(k / s) - 1;
  let hq = ho + reach;
  while (s * hq < h + p) hq++;
  let wq = wo + reach;
  while (s * wq < w + p) wq++;
  const h2 = s * hq;
  const w2 = s * wq;
  // Windows over the whole canvas: ≥ (ho, wo) when the canvas covers rows/columns no window reaches;
  // the extra windows get dy = 0 and so route nothing.
  const ho2 = hq - reach;
  const wo2 = wq - reach;

  const canvas = tf.pad(
    x,
    [
      [0, 0],
      [p, h2 - h - p],
      [p, w2 - w - p],
      [0, 0],
    ],
    PAD,
  );
  const hm = tf.maxPool(canvas, [1, k], [1, s], 'valid'); // [n, h2, wo2, c]
  const grow = (t: tf.Tensor4D) =>
    ho2 === ho && wo2 === wo
      ? t
      : tf.pad(t, [
          [0, 0],
          [0, ho2 - ho],
          [0, wo2 - wo],
          [0, 0],
        ]);

  // Rows: window row di of output row oh is canvas row s·oh + di = s·(oh + qi) + ri.
  const yGrown = grow(y);
  let rest: tf.Tensor4D = grow(dy);
  const toRows: tf.Tensor[] = [];
  for (let di = 0; di < k; di++) {
    const qi = Math.floor(di / s);
    const ri = di % s;
    let routed = rest;
    if (di < k - 1) [routed, rest] = route(rest, yGrown, tf.depthwiseConv2d(hm, picker(k, 1, di, 0, c), [s, 1], 'valid'));
    const spread = tf.pad(tf.reshape(routed, [n, ho2, 1, wo2 * c]), [
      [0, 0],
      [qi, hq - ho2 - qi],
      [ri, s - 1 - ri],
      [0, 0],
    ]);
    toRows.push(spread);
  }
  const dhm = tf.reshape(tf.addN(toRows), [n, h2, wo2, c]) as tf.Tensor4D;

  // Columns: canvas column s·ow + dj = s·(ow + qj) + rj.
  rest = dhm;
  const toCols: tf.Tensor[] = [];
  for (let dj = 0; dj < k; dj++) {
    const qj = Math.floor(dj / s);
    const rj = dj % s;
    let routed = rest;
    if (dj < k - 1) [routed, rest] = route(rest, hm, tf.depthwiseConv2d(canvas, picker(1, k, 0, dj, c), [1, s], 'valid'));
    const spread = tf.pad(tf.reshape(routed, [n * h2, wo2, 1, c]), [
      [0, 0],
      [qj, wq - wo2 - qj],
      [rj, s - 1 - rj],
      [0, 0],
    ]);
    toCols.push(spread);
  }
  const dCanvas = tf.reshape(tf.addN(toCols), [n, h2, w2 * c]);
  // Crop the padding off: one 3-D slice of whole row runs.
  return tf.reshape(tf.slice(dCanvas, [0, p, p * c], [n, h, w * c]), [n, h, w, c]);
}

/** A depthwise filter [kh, kw, C, 1] that is 1 at (a, b), 0 elsewhere: a 'valid' conv with it reads x shifted by (a, b). */
function picker(kh: number, kw: number, a: number, b: number, c: number): tf.Tensor4D {
  const f = new Float32Array(kh * kw * c);
  f.fill(1, (a * kw + b) * c, (a * kw + b + 1) * c);
  return tf.tensor4d(f, [kh, kw, c, 1]);
}

/**
 * One step of first-match routing: where v equals the maximum m (m − v = 0, else > 0), what is left of
 * the gradient goes to v and nothing is left for later positions. Arithmetic only (step, sub, mul):
 * comparisons and select are 10× slower than these on wasm.
 */
function route(rest: tf.Tensor4D, m: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const kept = tf.mul(rest, tf.step(tf.sub(m, v))) as tf.Tensor4D;
  return [tf.sub(rest, kept), kept];
}
