// The SIMD kernels vs float64 loop references (scatter-form gradients, independent of the kernels' gather form), on wasm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends';
import { maxRelError, nhwc, randomArray } from '../testing/reference';
import * as K from './wasm-ops';

type Shape4 = [number, number, number, number];
const TOL = 1e-4;
const FLOOR = 1e-2; // float32 sums of up to ~50 products of O(1) values: ~1e-6 absolute error (as the op tests)
/** Random values rounded to float32, so the references see exactly the kernels' inputs. */
const rand = (n: number, seed: number, scale = 1) => Float64Array.from(Float32Array.from(randomArray(n, seed, scale)));
const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => maxRelError(a, b, FLOOR);

beforeAll(() => useBackend('wasm'));

const t4 = (a: Float64Array, s: Shape4) => tf.tensor4d(Float32Array.from(a), s);
const data = (t: tf.Tensor) => Float64Array.from(t.dataSync());
const relu = (v: number) => (v > 0 ? v : 0);
const out = (size: number, k: number, s: number, d: number, p: number) => Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;

/** Depthwise forward, dx (scatter) and dF in float64; `r`: relu on the input. */
function dwRef(x: Float64Array, xs: Shape4, f: Float64Array, dy: Float64Array | null, g: K.DwGeometry, r: boolean) {
  const [n, h, w, c] = xs;
  const { k, s, d, pad } = g;
  const ys: Shape4 = [n, out(h, k, s, d, pad), out(w, k, s, d, pad), c];
  const y = new Float64Array(ys.reduce((a, b) => a * b));
  const dx = new Float64Array(x.length);
  const df = new Float64Array(f.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ys[1]; i++)
      for (let j = 0; j < ys[2]; j++)
        for (let ch = 0; ch < c; ch++)
          for (let a = 0; a < k; a++)
            for (let e = 0; e < k; e++) {
              const rr = s * i + d * a - pad;
              const q = s * j + d * e - pad;
              if (rr < 0 || rr >= h || q < 0 || q >= w) continue;
              const xi = nhwc(xs, b, rr, q, ch);
              const xv = r ? relu(x[xi]!) : x[xi]!;
              const fi = (a * k + e) * c + ch;
              const yi = nhwc(ys, b, i, j, ch);
              y[yi]! += xv * f[fi]!;
              if (dy) {
                if (!r || x[xi]! > 0) dx[xi]! += dy[yi]! * f[fi]!;
                df[fi]! += dy[yi]! * xv;
              }
            }
  return { y, ys, dx, df };
}

const GEOMS: (K.DwGeometry & { why: string })[] = [
  { k: 3, s: 1, d: 1, pad: 1, why: 'sep 3×3' },
  { k: 5, s: 1, d: 1, pad: 2, why: 'sep 5×5' },
  { k: 3, s: 2, d: 1, pad: 1, why: 'sep 3×3 reduce' },
  { k: 5, s: 2, d: 1, pad: 2, why: 'sep 5×5 reduce' },
  { k: 3, s: 1, d: 2, pad: 2, why: 'dil 3×3' },
  { k: 5, s: 1, d: 2, pad: 4, why: 'dil 5×5' },
  { k: 3, s: 2, d: 2, pad: 2, why: 'dil 3×3 reduce' },
  { k: 5, s: 2, d: 2, pad: 4, why: 'dil 5×5 reduce' },
];

describe('wasm kernels: depthwise convolution', () => {
  for (const [H, W] of [
    [7, 7],
    [8, 6],
  ] as const) {
    for (const g of GEOMS) for (const variant of ['padded', 'checked'] as const) {
      it(`${g.why} on ${H}×${W}, ${variant} kernels (forward, dx with relu mask and accumulation, dF)`, () => {
        K.setDepthwiseVariant(variant);
        const xs: Shape4 = [2, H, W, 8];
        const x = rand(xs.reduce((a, b) => a * b), 1);
        const f = rand(g.k * g.k * 8, 2);
        for (const r of [false, true]) {
          const ref0 = dwRef(x, xs, f, null, g, r);
          const dy = rand(ref0.y.length, 3);
          const ref = dwRef(x, xs, f, dy, g, r);
          tf.tidy(() => {
            const xt = t4(x, xs);
            const ft = t4(f, [g.k, g.k, 8, 1]);
            const dyt = t4(dy, ref.ys);
            const y = K.dwForward(xt, ft, g, r);
            expect(y.shape).toEqual(ref.ys);
            expect(rel(data(y), ref.y)).toBeLessThan(TOL);
            const dx = K.dwInputGrad(dyt, ft, g, H, W, r ? { mask: xt } : {});
            expect(rel(data(dx), ref.dx)).toBeLessThan(TOL);
            const base = rand(x.length, 4);
            const acc = K.dwInputGrad(dyt, ft, g, H, W, { mask: r ? xt : undefined, into: t4(base, xs) });
            expect(rel(data(acc), ref.dx.map((v, i) => v + base[i]!))).toBeLessThan(TOL);
            const df = K.dwFilterGrad(xt, dyt, g, r);
            expect(df.shape).toEqual([g.k, g.k, 8, 1]);
            expect(rel(data(df), ref.df)).toBeLessThan(TOL);
          });
        }
        K.setDepthwiseVariant('auto');
      });
    }
  }
});

/** 1×1 conv on the (sub)sampled grid, its dx (scatter) and dW, float64. */
function pwRef(x: Float64Array, xs: Shape4, w: Float64Array, cout: number, dy: Float64Array, sub: -1 | 0 | 1, r: boolean) {
  const [n, h, wd, cin] = xs;
  const s = sub < 0 ? 1 : 2;
  const off = sub < 0 ? 0 : sub;
  const ho = s === 1 ? h : Math.ceil((h - off) / 2);
  const wo = s === 1 ? wd : Math.ceil((wd - off) / 2);
  const ys: Shape4 = [n, ho, wo, cout];
  const y = new Float64Array(n * ho * wo * cout);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let c = 0; c < cin; c++) {
          const xi = nhwc(xs, b, s * i + off, s * j + off, c);
          const xv = r ? relu(x[xi]!) : x[xi]!;
          for (let o = 0; o < cout; o++) {
            const yi = nhwc(ys, b, i, j, o);
            y[yi]! += xv * w[c * cout + o]!;
            if (!r || x[xi]! > 0) dx[xi]! += dy[yi]! * w[c * cout + o]!;
            dw[c * cout + o]! += xv * dy[yi]!;
          }
        }
  return { y, ys, dx, dw };
}

describe('wasm kernels: pointwise convolution', () => {
  for (const [cin, cout] of [
    [8, 8],
    [12, 4],
    [4, 16],
    [24, 8],
  ] as const) {
    for (const sub of [-1, 0, 1] as const) {
      it(`${cin}→${cout}, ${sub < 0 ? 'dense' : `stride-2 grid offset ${sub}`} (forward, dx, dW; relu)`, () => {
        const xs: Shape4 = [2, 6, 5, cin];
        const x = rand(xs.reduce((a, b) => a * b), 5);
        const w = rand(cin * cout, 6);
        for (const r of [false, true]) {
          const probe = pwRef(x, xs, w, cout, new Float64Array(2 * 6 * 5 * cout), sub, r);
          const dy = rand(probe.y.length, 7);
          const ref = pwRef(x, xs, w, cout, dy, sub, r);
          tf.tidy(() => {
            const xt = t4(x, xs);
            const wt = tf.tensor2d(Float32Array.from(w), [cin, cout]);
            const dyt = t4(dy, ref.ys);
            const s = sub < 0 ? undefined : (sub as 0 | 1);
            const y = K.pwForward(xt, wt, { relu: r, sub: s });
            expect(y.shape).toEqual(ref.ys);
            expect(rel(data(y), ref.y)).toBeLessThan(TOL);
            const dx = K.pwInputGrad(dyt, wt, 6, 5, { mask: r ? xt : undefined, sub: s });
            expect(rel(data(dx), ref.dx)).toBeLessThan(TOL);
            const dw = K.pwWeightGrad(xt, dyt, cout, { relu: r, sub: s });
            expect(rel(data(dw), ref.dw)).toBeLessThan(TOL);
          });
        }
      });
    }
  }

  it('writes and reads channel slices (FactorizedReduce: two halves of one tensor)', () => {
    const xs: Shape4 = [2, 6, 6, 8];
    const x = rand(xs.reduce((a, b) => a * b), 8);
    const w1 = rand(8 * 4, 9);
    const w2 = rand(8 * 4, 10);
    const dy = rand(2 * 3 * 3 * 8, 11);
    const half = (off: number) => Float64Array.from({ length: 2 * 3 * 3 * 4 }, (_, i) => dy[Math.floor(i / 4) * 8 + off + (i % 4)]!);
    const a = pwRef(x, xs, w1, 4, half(0), 0, true);
    const b = pwRef(x, xs, w2, 4, half(4), 1, true);
    tf.tidy(() => {
      const xt = t4(x, xs);
      const w1t = tf.tensor2d(Float32Array.from(w1), [8, 4]);
      const w2t = tf.tensor2d(Float32Array.from(w2), [8, 4]);
      let z = K.pwForward(xt, w1t, { relu: true, sub: 0, cTotal: 8 });
      z = K.pwForward(xt, w2t, { relu: true, sub: 1, into: z, cOff: 4 });
      const expected = new Float64Array(2 * 3 * 3 * 8);
      for (let p = 0; p < 18; p++)
        for (let c = 0; c < 4; c++) {
          expected[p * 8 + c] = a.y[p * 4 + c]!;
          expected[p * 8 + 4 + c] = b.y[p * 4 + c]!;
        }
      expect(rel(data(z), expected)).toBeLessThan(TOL);
      const dyt = t4(dy, [2, 3, 3, 8]);
      let dx = K.pwInputGrad(dyt, w1t, 6, 6, { mask: xt, sub: 0, dyOff: 0 });
      dx = K.pwInputGrad(dyt, w2t, 6, 6, { mask: xt, sub: 1, dyOff: 4, into: dx });
      expect(rel(data(dx), a.dx.map((v, i) => v + b.dx[i]!))).toBeLessThan(TOL);
      expect(rel(data(K.pwWeightGrad(xt, dyt, 4, { relu: true, sub: 1, dyOff: 4 })), b.dw)).toBeLessThan(TOL);
    });
  });
});

describe('wasm kernels: pools', () => {
  for (const [k, s, p] of [
    [3, 1, 1],
    [3, 2, 1],
  ] as const) {
    for (const kind of ['max', 'avg'] as const) {
      it(`${kind} ${k}×${k} stride ${s} pad ${p} forward and gradient (ties and negatives included)`, () => {
        const xs: Shape4 = [2, 7, 6, 8];
        // Quantised values make ties common; all negative in one channel checks −∞ padding.
        const x = rand(xs.reduce((a, b) => a * b), 12).map((v, i) => (i % 8 === 3 ? -Math.abs(v) - 1 : Math.round(v * 2) / 2));
        const [n, h, w, c] = xs;
        const ho = out(h, k, s, 1, p);
        const wo = out(w, k, s, 1, p);
        const ys: Shape4 = [n, ho, wo, c];
        const y = new Float64Array(n * ho * wo * c);
        const dy = rand(y.length, 13);
        const dx = new Float64Array(x.length);
        for (let b = 0; b < n; b++)
          for (let i = 0; i < ho; i++)
            for (let j = 0; j < wo; j++)
              for (let ch = 0; ch < c; ch++) {
                let best = -Infinity;
                let at = -1;
                let sum = 0;
                let cnt = 0;
                for (let a = 0; a < k; a++)
                  for (let e = 0; e < k; e++) {
                    const r = s * i + a - p;
                    const q = s * j + e - p;
                    if (r < 0 || r >= h || q < 0 || q >= w) continue;
                    const v = x[nhwc(xs, b, r, q, ch)]!;
                    if (v > best) {
                      best = v;
                      at = nhwc(xs, b, r, q, ch);
                    }
                    sum += v;
                    cnt++;
                  }
                const yi = nhwc(ys, b, i, j, ch);
                y[yi] = kind === 'max' ? best : sum / cnt;
                if (kind === 'max') dx[at]! += dy[yi]!;
                else
                  for (let a = 0; a < k; a++)
                    for (let e = 0; e < k; e++) {
                      const r = s * i + a - p;
                      const q = s * j + e - p;
                      if (r >= 0 && r < h && q >= 0 && q < w) dx[nhwc(xs, b, r, q, ch)]! += dy[yi]! / cnt;
                    }
              }
        tf.tidy(() => {
          const xt = t4(x, xs);
          expect(rel(data(K.pool(xt, kind, k, s, p)), y)).toBeLessThan(TOL);
          expect(rel(data(K.poolGrad(xt, t4(dy, ys), kind, k, s, p)), dx)).toBeLessThan(TOL);
          const base = rand(x.length, 14);
          const acc = K.poolGrad(xt, t4(dy, ys), kind, k, s, p, t4(base, xs));
          expect(rel(data(acc), dx.map((v, i) => v + base[i]!))).toBeLessThan(TOL);
        });
      });
    }
  }
});

describe('wasm kernels: channel passes and sums', () => {
  const xs: Shape4 = [3, 5, 7, 12];
  const m = 3 * 5 * 7;
  const a = rand(m * 12, 20, 3).map((v) => v + 10); // an offset mean: the float64 totals must keep it exact
  const b = rand(m * 12, 21);
  const perChannel = (f: (p: number, c: number) => number) => Float64Array.from({ length: 12 }, (_, c) => Array.from({ length: m }, (_, p) => f(p, c)).reduce((s, v) => s + v, 0));

  it('totals: sum, squared deviation, dot products with several tensors', () => {
    tf.tidy(() => {
      const at = t4(a, xs);
      const bt = t4(b, xs);
      const af = Float64Array.from(Float32Array.from(a));
      const bf = Float64Array.from(Float32Array.from(b));
      const sum = perChannel((p, c) => af[p * 12 + c]!);
      expect(maxRelError(K.channelTotals(at, 'sum'), sum)).toBeLessThan(1e-6);
      const mean = Float32Array.from(sum, (v) => v / m);
      expect(maxRelError(K.channelTotals(at, 'sqdiff', mean), perChannel((p, c) => (af[p * 12 + c]! - mean[c]!) ** 2))).toBeLessThan(1e-5);
      const [d1, d2] = K.channelTotals(at, 'dots', [bt, at]);
      // Σ a·b cancels (random signs): compare against the scale of the terms, not of the total.
      expect(maxRelError(d1!, perChannel((p, c) => af[p * 12 + c]! * bf[p * 12 + c]!), 10)).toBeLessThan(1e-6);
      expect(maxRelError(d2!, perChannel((p, c) => af[p * 12 + c]! ** 2))).toBeLessThan(1e-6);
    });
  });

  it('normalize, affine3, weighted sums, channel concat and slice', () => {
    tf.tidy(() => {
      const at = t4(a, xs);
      const bt = t4(b, xs);
      const c1 = Float32Array.from({ length: 12 }, (_, i) => i - 5);
      const c2 = Float32Array.from({ length: 12 }, (_, i) => 0.5 + i / 7);
      const c3 = Float32Array.from({ length: 12 }, (_, i) => -i / 3);
      const af = Float32Array.from(a);
      const bf = Float32Array.from(b);
      const norm = Float64Array.from(af, (v, i) => (v - c1[i % 12]!) * c2[i % 12]!);
      expect(rel(data(K.normalize(at, c1, c2)), norm)).toBeLessThan(TOL);
      const aff = Float64Array.from(af, (v, i) => c1[i % 12]! * v + c2[i % 12]! * bf[i]! + c3[i % 12]!);
      expect(rel(data(K.affine3(at, bt, c1, c2, c3)), aff)).toBeLessThan(TOL);
      const ws = Float64Array.from(af, (v, i) => 0.25 * v - 1.5 * bf[i]!);
      expect(rel(data(K.weightedSum([at, bt], [0.25, -1.5])), ws)).toBeLessThan(TOL);
      const acc = K.weightedSum([bt], [2], tf.clone(at));
      expect(rel(data(acc), Float64Array.from(af, (v, i) => v + 2 * bf[i]!))).toBeLessThan(TOL);
      const cat = K.concatChannels([at, bt.slice([0, 0, 0, 0], [3, 5, 7, 4]) as tf.Tensor4D]);
      expect(cat.shape).toEqual([3, 5, 7, 16]);
      expect(data(K.sliceChannels(cat, 12, 4))).toEqual(data(bt.slice([0, 0, 0, 0], [3, 5, 7, 4])));
      expect(data(K.sliceChannels(cat, 4, 8))).toEqual(data(at.slice([0, 0, 0, 4], [3, 5, 7, 8])));
    });
  });
});
