// Test-only: PyTorch's conv and pooling ops as float64 loops (NHWC), the independent references of the op
// tests (ops/*.test.ts) and of the op cases the GPU host checks (op-cases.ts).
import type { DepthwiseOptions } from '../ops/depthwise-conv';
import { nhwc, randomArray } from './reference';

export type Shape4 = [number, number, number, number];

export interface ConvGeometry {
  stride: number;
  pad: number;
}

/** The depthwise geometries both suites check: every DARTS sep/dil conv at stride 1 and 2, and the edge cases. */
export const DEPTHWISE_GEOMETRIES: (DepthwiseOptions & { k: number; why: string })[] = [
  { k: 1, stride: 1, dilation: 1, pad: 0, why: '1×1' },
  { k: 1, stride: 2, dilation: 1, pad: 0, why: '1×1 stride 2' },
  { k: 3, stride: 1, dilation: 1, pad: 1, why: 'sep_conv_3x3' },
  { k: 3, stride: 2, dilation: 1, pad: 1, why: 'sep_conv_3x3 reduce' },
  { k: 5, stride: 1, dilation: 1, pad: 2, why: 'sep_conv_5x5' },
  { k: 5, stride: 2, dilation: 1, pad: 2, why: 'sep_conv_5x5 reduce' },
  { k: 3, stride: 1, dilation: 2, pad: 2, why: 'dil_conv_3x3' },
  { k: 3, stride: 2, dilation: 2, pad: 2, why: 'dil_conv_3x3 reduce' },
  { k: 5, stride: 1, dilation: 2, pad: 4, why: 'dil_conv_5x5' },
  { k: 5, stride: 2, dilation: 2, pad: 4, why: 'dil_conv_5x5 reduce' },
  { k: 3, stride: 2, dilation: 2, pad: 1, why: 'odd pad at stride 2 dilation 2 (odd-parity subsample)' },
  { k: 3, stride: 2, dilation: 3, pad: 3, why: 'odd dilation at stride 2' },
  { k: 3, stride: 2, dilation: 1, pad: 0, why: 'valid, unused trailing rows' },
  { k: 3, stride: 1, dilation: 1, pad: 3, why: 'pad beyond the kernel reach (input gradient crops)' },
];

/** Output rows/cols of a window of extent `reach` (dilated kernel size). */
const out = (size: number, reach: number, g: ConvGeometry) => Math.floor((size + 2 * g.pad - reach) / g.stride) + 1;

/** PyTorch's grouped conv (groups = C, zero padding), filter [k, k, C, 1]. */
export function depthwiseRef(x: Float64Array, xs: Shape4, f: Float64Array, k: number, o: ConvGeometry & { dilation: number }): { y: Float64Array; ys: Shape4 } {
  const [n, h, w, c] = xs;
  const { stride: s, dilation: d, pad: p } = o;
  const reach = d * (k - 1) + 1;
  const ys: Shape4 = [n, out(h, reach, o), out(w, reach, o), c];
  const y = new Float64Array(ys[0] * ys[1] * ys[2] * ys[3]);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ys[1]; i++)
      for (let j = 0; j < ys[2]; j++)
        for (let ch = 0; ch < c; ch++) {
          let acc = 0;
          for (let a = 0; a < k; a++)
            for (let e = 0; e < k; e++) {
              const r = s * i + d * a - p;
              const q = s * j + d * e - p;
              if (r >= 0 && r < h && q >= 0 && q < w) acc += x[nhwc(xs, b, r, q, ch)]! * f[(a * k + e) * c + ch]!;
            }
          y[nhwc(ys, b, i, j, ch)] = acc;
        }
  return { y, ys };
}

/** PyTorch's dense conv (zero padding, dilation 1), filter [kh, kw, Cin, Cout]. */
export function conv2dRef(x: Float64Array, xs: Shape4, f: Float64Array, kh: number, kw: number, cout: number, o: ConvGeometry): { y: Float64Array; ys: Shape4 } {
  const [n, h, w, cin] = xs;
  const { stride: s, pad: p } = o;
  const ys: Shape4 = [n, out(h, kh, o), out(w, kw, o), cout];
  const y = new Float64Array(ys[0] * ys[1] * ys[2] * ys[3]);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ys[1]; i++)
      for (let j = 0; j < ys[2]; j++)
        for (let oc = 0; oc < cout; oc++) {
          let acc = 0;
          for (let a = 0; a < kh; a++)
            for (let e = 0; e < kw; e++) {
              const r = s * i + a - p;
              const q = s * j + e - p;
              if (r < 0 || r >= h || q < 0 || q >= w) continue;
              for (let ci = 0; ci < cin; ci++) acc += x[nhwc(xs, b, r, q, ci)]! * f[((a * kw + e) * cin + ci) * cout + oc]!;
            }
          y[nhwc(ys, b, i, j, oc)] = acc;
        }
  return { y, ys };
}

/**
 * PyTorch's MaxPool2d / AvgPool2d (ceil_mode False): padding skipped for max (−∞) and its argmax the first
 * maximum in row-major order; average divided by k² (countIncludePad) or by the real-element count.
 */
export function poolRef(x: Float64Array, xs: Shape4, o: ConvGeometry & { size: number; countIncludePad?: boolean }, kind: 'max' | 'avg'): { y: Float64Array; ys: Shape4; arg: Int32Array } {
  const [n, h, w, c] = xs;
  const { size: k, stride: s, pad: p } = o;
  const ys: Shape4 = [n, out(h, k, o), out(w, k, o), c];
  const y = new Float64Array(ys[0] * ys[1] * ys[2] * ys[3]);
  const arg = new Int32Array(y.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ys[1]; i++)
      for (let j = 0; j < ys[2]; j++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          let sum = 0;
          let count = 0;
          for (let a = 0; a < k; a++)
            for (let e = 0; e < k; e++) {
              const r = s * i + a - p;
              const q = s * j + e - p;
              if (r < 0 || r >= h || q < 0 || q >= w) continue;
              const idx = nhwc(xs, b, r, q, ch);
              sum += x[idx]!;
              count++;
              if (x[idx]! > best) {
                best = x[idx]!;
                at = idx;
              }
            }
          const o4 = nhwc(ys, b, i, j, ch);
          y[o4] = kind === 'max' ? best : sum / (o.countIncludePad ? k * k : count);
          arg[o4] = at;
        }
  return { y, ys, arg };
}

/** Pairwise-distinct values 2/size apart in [−1.75, 0.25): finite differences never cross a tie; many windows are all negative. */
export function distinct(size: number, seed: number): Float64Array {
  const u = randomArray(size, seed);
  const order = Array.from(u.keys()).sort((a, b) => u[a]! - u[b]!);
  const v = new Float64Array(size);
  order.forEach((idx, rank) => (v[idx] = (2 * rank) / size - 1.75));
  return v;
}

/** Values on a coarse grid (steps of 0.25 in [−1.375, 0.125]): many ties, many all-negative windows. */
export function quantised(size: number, seed: number): Float64Array {
  return randomArray(size, seed).map((v) => Math.round(v * 3.5) / 4 - 0.625);
}
