// Tensor-level entry points of the SIMD kernels on the wasm backend: convolutions, pools, batch-norm passes, sums.
//
// Every function needs channel counts that are multiples of 4 (`wasmKernelsFit`). Functions taking
// `into` ADD their result into that tensor's memory and return a tensor aliasing it: only pass buffers the
// caller created and has not shared (the fused search cell's gradient accumulators).
import * as tf from '@tensorflow/tfjs';
import * as src from './wasm-kernel-source';
import { WasmRuntime, registerWasmKernel, wasmRuntime } from './wasm-runtime';

type T4 = tf.Tensor4D;

/** Depthwise geometry: k×k taps at dilation d, stride s, symmetric padding. */
export interface DwGeometry {
  k: number;
  s: 1 | 2;
  d: number;
  pad: number;
}

export function convOut(size: number, k: number, s: number, d: number, pad: number): number {
  return Math.floor((size + 2 * pad - d * (k - 1) - 1) / s) + 1;
}

/** True when the wasm kernels can run on tensors with these channel counts on the active backend. */
export function wasmKernelsFit(...channels: number[]): boolean {
  return wasmRuntime() !== null && channels.every((c) => c > 0 && c % 4 === 0);
}

const run = <T extends tf.Tensor>(name: string, inputs: Record<string, tf.Tensor | undefined>, attrs: Record<string, unknown>): T => {
  const named: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(inputs)) if (v) named[k] = v;
  return tf.engine().runKernel(name, named, attrs as tf.NamedAttrMap) as T;
};

/** Return `into` itself (one more reference to its data) as the kernel output. */
function alias(rt: WasmRuntime, into: tf.TensorInfo): tf.TensorInfo {
  rt.backend.incRef(into.dataId);
  return { dataId: into.dataId, shape: into.shape, dtype: into.dtype };
}

/** Which depthwise kernels run: by the share of taps that land inside the input ('auto'), or forced (tests, benchmarks). */
let dwVariant: 'auto' | 'padded' | 'checked' = 'auto';
export function setDepthwiseVariant(v: 'auto' | 'padded' | 'checked'): void {
  dwVariant = v;
}

/** Output pixels per register tile of the stride-1 depthwise kernels (4 measured best on 8–32 channels). */
const WINDOW = 4;

/** Share of the k×k taps, over all outputs, that read inside an H×W input. */
export function validTapShare(H: number, W: number, k: number, s: number, d: number, pad: number): number {
  const axis = (size: number) => {
    const out = convOut(size, k, s, d, pad);
    let valid = 0;
    for (let o = 0; o < out; o++) for (let a = 0; a < k; a++) if (s * o + d * a - pad >= 0 && s * o + d * a - pad < size) valid++;
    return valid / (out * k);
  };
  return axis(H) * axis(W);
}

/**
 * The padded kernels multiply every tap (zeros included) in check-free, register-tiled code after one
 * copying pass; the checked ones skip the taps outside the input. Chosen per kernel from measurements on
 * the 2-core machine (bench/NOTES.md): the forward gains from padding unless most dilated taps fall
 * outside (small maps); the filter gradient on large maps (its checked form makes a pass per tap); the
 * input gradient only with few channels.
 */
function usePadded(kind: 'forward' | 'input' | 'filter', H: number, W: number, C: number, k: number, s: number, d: number, pad: number): boolean {
  if (dwVariant !== 'auto') return dwVariant === 'padded';
  const share = validTapShare(H, W, k, s, d, pad);
  if (kind === 'forward') return share >= 0.6;
  if (kind === 'filter') return H * W >= 576;
  return C <= 8 && share >= 0.8;
}

/**
 * Copy `x` [N, H, W, C] into scratch `slot` as [N, Hp, Wp, C] with x[n, h, w] at (top + spread·h, left + spread·w),
 * relu'd if asked, everything else `fill` (0, or −∞ for max pooling). Returns the scratch pointer.
 */
function padded(rt: WasmRuntime, x: tf.TensorInfo, slot: number, Hp: number, Wp: number, top: number, left: number, spread: number, relu: boolean, fill: number): number {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const p = rt.scratch(N * Hp * Wp * C * 4, slot);
  const f32 = rt.f32;
  const base = p >>> 2;
  const row = Wp * C;
  if (spread !== 1 || fill !== 0) f32.fill(fill, base, base + N * Hp * row);
  else {
    // Only the border: rows above and below, and the columns left and right of each copied row.
    for (let n = 0; n < N; n++) {
      const img = base + n * Hp * row;
      f32.fill(0, img, img + top * row);
      f32.fill(0, img + (top + H) * row, img + Hp * row);
      for (let h = top; h < top + H; h++) {
        const r = img + h * row;
        f32.fill(0, r, r + left * C);
        f32.fill(0, r + (left + W) * C, r + row);
      }
    }
  }
  rt.fn(`pad${C}s${spread}${relu ? 'r' : ''}`, () => src.padCopy(C, spread, relu))(rt.ptr(x), p, N, H, W, Hp, Wp, top, left);
  return p;
}

function zero(rt: WasmRuntime, t: tf.TensorInfo, floats: number): void {
  const p = rt.ptr(t) >>> 2;
  rt.f32.fill(0, p, p + floats);
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;

  registerWasmKernel('NaswDwForward', (rt, { x, f }, a) => {
    const [N, H, W, C] = x!.shape as [number, number, number, number];
    const { k, s, d, pad, relu } = a as unknown as DwGeometry & { relu: boolean };
    const Ho = convOut(H, k, s, d, pad);
    const Wo = convOut(W, k, s, d, pad);
    const y = rt.output([N, Ho, Wo, C]);
    if (usePadded('forward', H, W, C, k, s, d, pad)) {
      const Hp = H + 2 * pad;
      const Wp = W + 2 * pad;
      const xp = padded(rt, x!, 1, Hp, Wp, pad, pad, 1, relu, 0);
      if (s === 1) rt.fn(`dww${C}k${k}d${d}w${Wp}`, () => src.dwWindow(C, k, d, Wp, WINDOW, false, false))(xp, rt.ptr(f!), rt.ptr(y), 0, N, Hp, Ho, Wo);
      else rt.fn(`dwg${C}k${k}d${d}s${s}w${Wp}`, () => src.dwGather(C, k, d, s, Wp, false, false))(xp, rt.ptr(f!), rt.ptr(y), 0, N, Hp, Ho, Wo);
    } else {
      rt.fn(`dwfc${C}${relu ? 'r' : ''}`, () => src.dwForwardChecked(C, relu))(rt.ptr(x!), rt.ptr(f!), rt.ptr(y), N, H, W, Ho, Wo, k, k, s, d, pad, pad);
    }
    return y;
  });

  registerWasmKernel('NaswDwInputGrad', (rt, { dy, f, x, into }, a) => {
    const [N, Ho, Wo, C] = dy!.shape as [number, number, number, number];
    const { k, s, d, pad, H, W } = a as unknown as DwGeometry & { H: number; W: number };
    const mask = x !== undefined;
    const out = into ? into : rt.output([N, H, W, C]);
    if (usePadded('input', H, W, C, k, s, d, pad)) {
      // dx[i] = Σ_a f[a]·dy'[i + pad − d·a] with dy' = dy spread at stride s: a stride-1 conv with the flipped
      // filter over dy' padded by d·(k−1) − pad before (pad ≤ d·(k−1) for every DARTS op).
      const lead = d * (k - 1) - pad;
      if (lead < 0) throw new Error(`NaswDwInputGrad: padding ${pad} exceeds the dilated kernel extent`);
      const Hp = H + d * (k - 1);
      const Wp = W + d * (k - 1);
      const dyp = padded(rt, dy!, 1, Hp, Wp, lead, lead, s, false, 0);
      const fl = rt.scratch(k * k * C * 4);
      const f32 = rt.f32;
      const fp = rt.ptr(f!) >>> 2;
      for (let t = 0; t < k * k; t++) f32.copyWithin((fl >>> 2) + t * C, fp + (k * k - 1 - t) * C, fp + (k * k - t) * C);
      rt.fn(`dww${C}k${k}d${d}w${Wp}${mask ? 'm' : ''}${into ? 'a' : ''}`, () => src.dwWindow(C, k, d, Wp, WINDOW, mask, !!into))(dyp, fl, rt.ptr(out), mask ? rt.ptr(x!) : 0, N, Hp, H, W);
    } else {
      rt.fn(`dwxc${C}s${s}${mask ? 'm' : ''}${into ? 'a' : ''}`, () => src.dwInputGradChecked(C, s, mask, !!into))(
        rt.ptr(dy!),
        rt.ptr(f!),
        rt.ptr(out),
        mask ? rt.ptr(x!) : 0,
        N,
        H,
        W,
        Ho,
        Wo,
        k,
        k,
        d,
        pad,
        pad,
      );
    }
    return into ? alias(rt, into) : out;
  });

  registerWasmKernel('NaswDwFilterGrad', (rt, { x, dy }, a) => {
    const [N, H, W, C] = x!.shape as [number, number, number, number];
    const [, Ho, Wo] = dy!.shape as [number, number, number, number];
    const { k, s, d, pad, relu } = a as unknown as DwGeometry & { relu: boolean };
    const n = k * k * C;
    const acc = rt.scratch(n * 8);
    rt.f64.fill(0, acc >>> 3, (acc >>> 3) + n);
    if (usePadded('filter', H, W, C, k, s, d, pad)) {
      const Hp = H + 2 * pad;
      const Wp = W + 2 * pad;
      const xp = padded(rt, x!, 1, Hp, Wp, pad, pad, 1, relu, 0);
      if (s === 1) rt.fn(`dwfw${C}k${k}d${d}w${Wp}`, () => src.dwFilterWindow(C, k, d, Wp, WINDOW))(xp, rt.ptr(dy!), acc, N, Hp, Ho, Wo);
      else rt.fn(`dwfp${C}k${k}d${d}s${s}w${Wp}`, () => src.dwFilterPadded(C, k, d, s, Wp))(xp, rt.ptr(dy!), acc, N, Hp, Ho, Wo);
    } else {
      rt.fn(`dwwc${C}${relu ? 'r' : ''}`, () => src.dwFilterGradChecked(C, relu))(rt.ptr(x!), rt.ptr(dy!), acc, N, H, W, Ho, Wo, k, k, s, d, pad, pad);
    }
    const out = rt.output([k, k, C, 1]);
    const o = rt.ptr(out) >>> 2;
    const f32 = rt.f32;
    const f64 = rt.f64;
    for (let i = 0; i < n; i++) f32[o + i] = f64[(acc >>> 3) + i]!;
    return out;
  });

  registerWasmKernel('NaswPwForward', (rt, { x, w, into }, a) => {
    const [N, Hin, Win, Cin] = x!.shape as [number, number, number, number];
    const Cout = w!.shape[1]!;
    const { relu, sub, cOff, cTotal } = a as { relu: boolean; sub: number; cOff: number; cTotal: number };
    const s = sub < 0 ? 1 : 2;
    const off = sub < 0 ? 0 : sub;
    const Ho = s === 1 ? Hin : Math.ceil((Hin - off) / 2);
    const Wo = s === 1 ? Win : Math.ceil((Win - off) / 2);
    const yC = into ? into.shape[3]! : Math.max(cTotal, Cout);
    if (cOff + Cout > yC) throw new Error(`NaswPwForward: channels [${cOff}, ${cOff + Cout}) do not fit ${yC}`);
    const out = into ? into : rt.output([N, Ho, Wo, yC]);
    rt.fn(`pwf${Cout}${relu ? 'r' : ''}`, () => src.pwForward(Cout, relu))(rt.ptr(x!), rt.ptr(w!), rt.ptr(out), N, Hin, Win, Cin, Ho, Wo, s, off, yC, cOff);
    return into ? alias(rt, into) : out;
  });

  registerWasmKernel('NaswPwInputGrad', (rt, { dy, w, x, into }, a) => {
    const [N, Ho, Wo, dyC] = dy!.shape as [number, number, number, number];
    const [Cin, Cout] = w!.shape as [number, number];
    const { sub, dyOff, H, W } = a as { sub: number; dyOff: number; H: number; W: number };
    const s = sub < 0 ? 1 : 2;
    const off = sub < 0 ? 0 : sub;
    const mask = x !== undefined;
    const out = into ? into : rt.output([N, H, W, Cin]);
    // A subsampled input leaves pixels no output reads: they get zero (or keep what `into` holds).
    if (!into && s !== 1) zero(rt, out, N * H * W * Cin);
    const accumulate = !!into || s !== 1;
    // wT [Cout, Cin] in scratch.
    const wT = rt.scratch(Cin * Cout * 4);
    const f32 = rt.f32;
    const wp = rt.ptr(w!) >>> 2;
    for (let i = 0; i < Cin; i++) for (let o = 0; o < Cout; o++) f32[(wT >>> 2) + o * Cin + i] = f32[wp + i * Cout + o]!;
    rt.fn(`pwx${Cin}${mask ? 'm' : ''}${accumulate ? 'a' : ''}`, () => src.pwInputGrad(Cin, mask, accumulate))(
      rt.ptr(dy!),
      wT,
      rt.ptr(out),
      mask ? rt.ptr(x!) : 0,
      N,
      H,
      W,
      Cout,
      Ho,
      Wo,
      s,
      off,
      dyC,
      dyOff,
    );
    return into ? alias(rt, into) : out;
  });

  registerWasmKernel('NaswPwWeightGrad', (rt, { x, dy }, a) => {
    const [N, Hin, Win, Cin] = x!.shape as [number, number, number, number];
    const [, Ho, Wo, dyC] = dy!.shape as [number, number, number, number];
    const { relu, sub, dyOff, Cout } = a as { relu: boolean; sub: number; dyOff: number; Cout: number };
    const s = sub < 0 ? 1 : 2;
    const off = sub < 0 ? 0 : sub;
    const V = Cout / 4;
    let cb = Math.max(1, Math.floor(16 / V));
    while (Cin % cb !== 0) cb--;
    const n = Cin * Cout;
    const acc = rt.scratch(n * 8);
    rt.f64.fill(0, acc >>> 3, (acc >>> 3) + n);
    const dense = s === 1;
    rt.fn(`pww${Cout}b${cb}${relu ? 'r' : ''}${dense ? 'd' : ''}`, () => src.pwWeightGrad(Cout, cb, relu, dense))(rt.ptr(x!), rt.ptr(dy!), acc, N, Hin, Win, Cin, Ho, Wo, s, off, dyC, dyOff);
    const out = rt.output([Cin, Cout]);
    const o = rt.ptr(out) >>> 2;
    const f32 = rt.f32;
    const f64 = rt.f64;
    for (let i = 0; i < n; i++) f32[o + i] = f64[(acc >>> 3) + i]!;
    return out;
  });

  registerWasmKernel('NaswChannelAffine', (rt, { a, b }, at) => {
    const shape = a!.shape;
    const C = shape[shape.length - 1]!;
    const M = size(shape) / C;
    const { mode, c1, c2, c3 } = at as { mode: 'normalize' | 'affine3'; c1: Float32Array; c2: Float32Array; c3?: Float32Array };
    const coef = rt.scratch(3 * C * 4);
    const f32 = rt.f32;
    f32.set(c1, coef >>> 2);
    f32.set(c2, (coef >>> 2) + C);
    if (c3) f32.set(c3, (coef >>> 2) + 2 * C);
    const y = rt.output([...shape]);
    rt.fn(`aff${C}${mode}`, () => src.channelAffine(C, mode))(rt.ptr(a!), b ? rt.ptr(b) : 0, rt.ptr(y), coef, coef + C * 4, coef + 8 * C, M);
    return y;
  });

  registerWasmKernel('NaswWeightedSum', (rt, inputs, at) => {
    const { weights } = at as { weights: number[] };
    const K = weights.length;
    const into = inputs['into'];
    const first = inputs['t0']!;
    const floats = size(first.shape);
    if (floats % 4 !== 0) throw new Error('NaswWeightedSum: sizes must be multiples of 4');
    const list = rt.scratch(K * 8);
    const i32 = rt.i32;
    const f32 = rt.f32;
    for (let k = 0; k < K; k++) {
      const t = inputs[`t${k}`]!;
      if (size(t.shape) !== floats) throw new Error('NaswWeightedSum: all terms must have the same size');
      i32[(list >>> 2) + 2 * k] = rt.ptr(t);
      f32[(list >>> 2) + 2 * k + 1] = weights[k]!;
    }
    const out = into ? into : rt.output([...first.shape]);
    rt.fn(`wsum${into ? 'a' : ''}`, () => src.weightedSum(!!into))(list, K, rt.ptr(out), floats / 4);
    return into ? alias(rt, into) : out;
  });

  registerWasmKernel('NaswPool', (rt, { x }, at) => {
    const [N, H, W, C] = x!.shape as [number, number, number, number];
    const { kind, k, s, p } = at as { kind: 'max' | 'avg'; k: number; s: number; p: number };
    const Ho = convOut(H, k, s, 1, p);
    const Wo = convOut(W, k, s, 1, p);
    const y = rt.output([N, Ho, Wo, C]);
    rt.fn(`pool${kind}${C}`, () => src.poolForward(C, kind))(rt.ptr(x!), rt.ptr(y), N, H, W, Ho, Wo, k, s, p);
    return y;
  });

  registerWasmKernel('NaswPoolGrad', (rt, { x, dy, into }, at) => {
    const [N, Ho, Wo, C] = dy!.shape as [number, number, number, number];
    const { kind, k, s, p, H, W } = at as { kind: 'max' | 'avg'; k: number; s: number; p: number; H: number; W: number };
    const out = into ? into : rt.output([N, H, W, C]);
    if (!into) zero(rt, out, N * H * W * C);
    // 'avg' reads x only for its address arithmetic: dx stands in for it.
    const xp = kind === 'max' ? rt.ptr(x!) : rt.ptr(out);
    rt.fn(`poolg${kind}${C}`, () => src.poolGrad(C, kind))(xp, rt.ptr(dy!), rt.ptr(out), N, H, W, Ho, Wo, k, s, p);
    return into ? alias(rt, into) : out;
  });

  registerWasmKernel('NaswConcatChannels', (rt, inputs, at) => {
    const { count } = at as { count: number };
    const parts = Array.from({ length: count }, (_, i) => inputs[`t${i}`]!);
    const [N, H, W] = parts[0]!.shape as [number, number, number, number];
    const total = parts.reduce((s, t) => s + t.shape[3]!, 0);
    const out = rt.output([N, H, W, total]);
    const copy = rt.fn('ccopy', () => src.channelCopy());
    let off = 0;
    for (const t of parts) {
      const C = t.shape[3]!;
      copy(rt.ptr(t), C, 0, rt.ptr(out), total, off, N * H * W, C);
      off += C;
    }
    return out;
  });

  registerWasmKernel('NaswSliceChannels', (rt, { x }, at) => {
    const [N, H, W, total] = x!.shape as [number, number, number, number];
    const { off, C } = at as { off: number; C: number };
    const out = rt.output([N, H, W, C]);
    rt.fn('ccopy', () => src.channelCopy())(rt.ptr(x!), total, off, rt.ptr(out), C, 0, N * H * W, C);
    return out;
  });
}

function ensure(): void {
  if (!registered) register();
}

/** y = depthwise(relu?(x), f) with PyTorch geometry; f [k, k, C, 1]. */
export function dwForward(x: T4, f: T4, g: DwGeometry, relu: boolean): T4 {
  ensure();
  return run('NaswDwForward', { x, f }, { ...g, relu });
}

/** dx of dwForward at input size H×W; × (x > 0) when `mask` (the relu's input) is given; added into `into` if given. */
export function dwInputGrad(dy: T4, f: T4, g: DwGeometry, H: number, W: number, opts: { mask?: T4; into?: T4 } = {}): T4 {
  ensure();
  return run('NaswDwInputGrad', { dy, f, x: opts.mask, into: opts.into }, { ...g, H, W });
}

/** dF of dwForward, [k, k, C, 1] (x is the input before the optional relu). */
export function dwFilterGrad(x: T4, dy: T4, g: DwGeometry, relu: boolean): T4 {
  ensure();
  return run('NaswDwFilterGrad', { x, dy }, { ...g, relu });
}

/**
 * 1×1 conv y = relu?(x)·w, w [Cin, Cout]; `sub` 0/1 reads the stride-2 grid x[:, sub::2, sub::2] (FactorizedReduce).
 * The result fills channels [cOff, cOff + Cout) of a new tensor `cTotal` channels wide (other channels are
 * left unset, for a second call to fill through `into`), or of `into` itself.
 */
export function pwForward(x: T4, w: tf.Tensor2D, opts: { relu: boolean; sub?: 0 | 1; into?: T4; cOff?: number; cTotal?: number }): T4 {
  ensure();
  return run('NaswPwForward', { x, w, into: opts.into }, { relu: opts.relu, sub: opts.sub ?? -1, cOff: opts.cOff ?? 0, cTotal: opts.cTotal ?? 0 });
}

/** dx of pwForward for an input of [N, H, W, Cin], from channels [dyOff, dyOff + Cout) of dy. */
export function pwInputGrad(dy: T4, w: tf.Tensor2D, H: number, W: number, opts: { mask?: T4; into?: T4; sub?: 0 | 1; dyOff?: number } = {}): T4 {
  ensure();
  return run('NaswPwInputGrad', { dy, w, x: opts.mask, into: opts.into }, { sub: opts.sub ?? -1, dyOff: opts.dyOff ?? 0, H, W });
}

/** dW of pwForward, [Cin, Cout], from channels [dyOff, dyOff + Cout) of dy. */
export function pwWeightGrad(x: T4, dy: T4, Cout: number, opts: { relu: boolean; sub?: 0 | 1; dyOff?: number }): tf.Tensor2D {
  ensure();
  return run('NaswPwWeightGrad', { x, dy }, { relu: opts.relu, sub: opts.sub ?? -1, dyOff: opts.dyOff ?? 0, Cout });
}

/** y = (x − mean)·rstd per channel. */
export function normalize(x: T4, mean: Float32Array, rstd: Float32Array): T4 {
  ensure();
  return run('NaswChannelAffine', { a: x }, { mode: 'normalize', c1: mean, c2: rstd });
}

/** y = c1·a + c2·b + c3 per channel. */
export function affine3(a: T4, b: T4, c1: Float32Array, c2: Float32Array, c3: Float32Array): T4 {
  ensure();
  return run('NaswChannelAffine', { a, b }, { mode: 'affine3', c1, c2, c3 });
}

/** Σ_k w_k·t_k (added into `into` when given); every t_k of the same size. */
export function weightedSum(ts: tf.Tensor[], weights: number[], into?: tf.Tensor): tf.Tensor {
  ensure();
  const inputs: Record<string, tf.Tensor | undefined> = { into };
  ts.forEach((t, i) => (inputs[`t${i}`] = t));
  return run('NaswWeightedSum', inputs, { weights });
}

export function pool(x: T4, kind: 'max' | 'avg', k: number, s: number, p: number): T4 {
  ensure();
  return run('NaswPool', { x }, { kind, k, s, p });
}

/** dx of pool (max: to the first maximum; avg: count_include_pad=False), into a zeroed tensor or added into `into`. */
export function poolGrad(x: T4, dy: T4, kind: 'max' | 'avg', k: number, s: number, p: number, into?: T4): T4 {
  ensure();
  const [, H, W] = x.shape;
  return run('NaswPoolGrad', { x, dy, into }, { kind, k, s, p, H, W });
}

export function concatChannels(ts: T4[]): T4 {
  ensure();
  const inputs: Record<string, tf.Tensor> = {};
  ts.forEach((t, i) => (inputs[`t${i}`] = t));
  return run('NaswConcatChannels', inputs, { count: ts.length });
}

export function sliceChannels(x: T4, off: number, C: number): T4 {
  ensure();
  return run('NaswSliceChannels', { x }, { off, C });
}

/**
 * Per-channel float64 totals (read back to JS, not tensors): Σ_p a, Σ_p (a − mean)², or for each t_k Σ_p a·t_k.
 * `a` and the t_k share one shape [..., C].
 */
export function channelTotals(a: tf.Tensor, mode: 'sum'): Float64Array;
export function channelTotals(a: tf.Tensor, mode: 'sqdiff', mean: Float32Array): Float64Array;
export function channelTotals(a: tf.Tensor, mode: 'dots', ts: tf.Tensor[]): Float64Array[];
export function channelTotals(a: tf.Tensor, mode: 'sum' | 'sqdiff' | 'dots', extra?: Float32Array | tf.Tensor[]): Float64Array | Float64Array[] {
  const rt = wasmRuntime();
  if (!rt) throw new Error('channelTotals: the wasm backend is not active');
  const C = a.shape[a.shape.length - 1]!;
  const M = a.size / C;
  const K = mode === 'dots' ? (extra as tf.Tensor[]).length : 1;
  // Scratch: the float64 totals, then the argument (mean or pointer list).
  const outBytes = K * C * 8;
  const base = rt.scratch(outBytes + Math.max(C * 4, K * 4) + 16);
  const arg = base + outBytes;
  rt.f64.fill(0, base >>> 3, (base >>> 3) + K * C);
  if (mode === 'sqdiff') rt.f32.set(extra as Float32Array, arg >>> 2);
  if (mode === 'dots') {
    const i32 = rt.i32;
    (extra as tf.Tensor[]).forEach((t, k) => {
      if (t.size !== a.size) throw new Error('channelTotals: shapes differ');
      i32[(arg >>> 2) + k] = rt.ptr(t);
    });
  }
  WasmRuntime.directCalls++;
  rt.fn(`tot${C}${mode}`, () => src.channelTotals(C, mode))(rt.ptr(a), arg, base, M, K);
  const f64 = rt.f64;
  if (mode !== 'dots') return f64.slice(base >>> 3, (base >>> 3) + C);
  return Array.from({ length: K }, (_, k) => f64.slice((base >>> 3) + k * C, (base >>> 3) + (k + 1) * C));
}
