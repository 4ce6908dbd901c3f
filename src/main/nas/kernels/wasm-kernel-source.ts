// The SIMD kernels as assembler programs, each specialised on its channel count(s) (multiples of 4).
//
// Layout: NHWC float32; a pixel's C channels are C/4 vectors, held in locals. Pointers are byte offsets
// into the backend's heap; sizes are element counts. Geometry follows PyTorch: output o reads input
// s·o + d·t − pad, out-of-range taps read nothing. Reductions over pixels accumulate a row (or a block
// of pixels) in float32 vectors and fold it into float64 totals, so long sums keep float64 accuracy.
import { Fn, OP, SIMD } from './wasm-assembler';

class K extends Fn {
  readonly p: Record<string, number> = {};

  constructor(name: string, paramNames: string[]) {
    super(name, paramNames.map(() => 'i32' as const));
    paramNames.forEach((n, i) => (this.p[n] = i));
  }

  /** Parameter index by name (throws on a typo, which would otherwise read local 0). */
  P(name: string): number {
    const i = this.p[name];
    if (i === undefined) throw new Error(`kernel ${this.name}: no parameter ${name}`);
    return i;
  }

  many(n: number, type: 'i32' | 'v128' | 'f32'): number[] {
    return Array.from({ length: n }, () => this.local(type));
  }

  vload(ptr: number, off = 0): this {
    return this.get(ptr).loadV(off);
  }

  zeroV(): this {
    return this.f32(0).simd(SIMD.f32x4_splat);
  }

  relu(): this {
    return this.zeroV().simd(SIMD.f32x4_max);
  }

  /** dst ← base + (index expression)·scale. */
  addr(dst: number, base: number, index: () => void, scale: number): this {
    this.get(base);
    index();
    if (scale !== 1) this.i32(scale).emit(OP.i32_mul);
    this.emit(OP.i32_add).set(dst);
    return this;
  }

  /** Push ((a·B + b)·C' + c …) for locals/params given as indices: a mixed-radix index. */
  index(...terms: [number, number | null][]): this {
    // terms: [local, radixParam|null]: idx = ((t0·r1 + t1)·r2 + t2)…, radix of the next term multiplies.
    this.get(terms[0]![0]);
    for (let i = 1; i < terms.length; i++) {
      this.get(terms[i]![1]!).emit(OP.i32_mul).get(terms[i]![0]).emit(OP.i32_add);
    }
    return this;
  }

  range(i: number, end: number | (() => void), body: () => void): this {
    return this.for(i, () => this.i32(0), typeof end === 'number' ? () => this.get(end) : end, 1, body);
  }

  rangeContinue(i: number, end: number | (() => void), body: () => void): this {
    return this.forContinue(i, () => this.i32(0), typeof end === 'number' ? () => this.get(end) : end, 1, body);
  }

  /** v (f32x4 local) added into the float64 pair of vectors at [ptr + off], [ptr + off + 16]. */
  foldF64(v: number, ptr: number, off: number): this {
    this.get(ptr).get(ptr).loadV(off).get(v).simd(SIMD.f64x2_promote_low_f32x4).simd(SIMD.f64x2_add).storeV(off);
    this.get(ptr).get(ptr).loadV(off + 16);
    this.get(v).get(v).simd(SIMD.i8x16_shuffle, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
    this.simd(SIMD.f64x2_promote_low_f32x4).simd(SIMD.f64x2_add).storeV(off + 16);
    return this;
  }
}

/**
 * Bounds-checked variants (no padded copy; taps outside the input are skipped, not multiplied by zero):
 * faster on small maps, where most dilated taps fall outside. Padded variants below are faster on large ones.
 *
 * y = depthwise(x) (of relu(x) when `relu`): y[n,oh,ow,c] = Σ_{a,b} f[a,b,c]·x[n, s·oh + d·a − pt, s·ow + d·b − pl, c],
 * out-of-range taps reading zero. Filter [kh, kw, C].
 */
export function dwForwardChecked(C: number, relu: boolean): Fn {
  const V = C / 4;
  const cb = C * 4;
  const f = new K('k', ['x', 'f', 'y', 'N', 'H', 'W', 'Ho', 'Wo', 'kh', 'kw', 's', 'd', 'pt', 'pl']);
  const [n, oh, ow, a, b, ih, iw, yp, xp, fp, row] = f.many(11, 'i32');
  const acc = f.many(V, 'v128');
  f.range(n, f.P('N'), () =>
    f.range(oh, f.P('Ho'), () =>
      f.range(ow, f.P('Wo'), () => {
        for (const v of acc) f.zeroV().set(v);
        f.rangeContinue(a, f.P('kh'), () => {
          f.get(f.P('s')).get(oh).emit(OP.i32_mul).get(f.P('d')).get(a).emit(OP.i32_mul, OP.i32_add).get(f.P('pt')).emit(OP.i32_sub).tee(ih);
          f.get(f.P('H')).emit(OP.i32_ge_u).brIf(0);
          f.addr(row, f.P('x'), () => f.index([n, null], [ih, f.P('H')]).get(f.P('W')).emit(OP.i32_mul), cb);
          f.rangeContinue(b, f.P('kw'), () => {
            f.get(f.P('s')).get(ow).emit(OP.i32_mul).get(f.P('d')).get(b).emit(OP.i32_mul, OP.i32_add).get(f.P('pl')).emit(OP.i32_sub).tee(iw);
            f.get(f.P('W')).emit(OP.i32_ge_u).brIf(0);
            f.addr(xp, row, () => f.get(iw), cb);
            f.addr(fp, f.P('f'), () => f.index([a, null], [b, f.P('kw')]), cb);
            acc.forEach((v, i) => {
              f.get(v).vload(xp, 16 * i);
              if (relu) f.relu();
              f.vload(fp, 16 * i).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(v);
            });
          });
        });
        f.addr(yp, f.P('y'), () => f.index([n, null], [oh, f.P('Ho')], [ow, f.P('Wo')]), cb);
        acc.forEach((v, i) => f.get(yp).get(v).storeV(16 * i));
      }),
    ),
  );
  return f;
}

/**
 * The input gradient of dwForward, gathered per input pixel: dx[i] = Σ_a f[a]·dy[(i + pt − d·a)/s] over the
 * taps that land on an output. `mask`: × (x > 0) (the gradient through relu(x)); `accumulate`: dx += instead of =.
 */
export function dwInputGradChecked(C: number, stride: 1 | 2, mask: boolean, accumulate: boolean): Fn {
  const V = C / 4;
  const cb = C * 4;
  const f = new K('k', ['dy', 'f', 'dx', 'x', 'N', 'H', 'W', 'Ho', 'Wo', 'kh', 'kw', 'd', 'pt', 'pl']);
  const [n, ih, iw, a, b, t, oh, ow, dp, fp, xp] = f.many(11, 'i32');
  const acc = f.many(V, 'v128');
  // t = i + pad − d·tap must be a multiple of s with t/s < extent·…: t <u s·extent catches negatives too.
  const tapOut = (i: number, pad: string, tap: number, extent: string, out: number) => {
    f.get(i).get(f.P(pad)).emit(OP.i32_add).get(f.P('d')).get(tap).emit(OP.i32_mul, OP.i32_sub).tee(t);
    f.get(f.P(extent)).i32(stride).emit(OP.i32_mul, OP.i32_ge_u).brIf(0);
    if (stride === 2) {
      f.get(t).i32(1).emit(OP.i32_and).brIf(0);
      f.get(t).i32(1).emit(OP.i32_shr_u).set(out);
    } else f.get(t).set(out);
  };
  f.range(n, f.P('N'), () =>
    f.range(ih, f.P('H'), () =>
      f.range(iw, f.P('W'), () => {
        for (const v of acc) f.zeroV().set(v);
        f.rangeContinue(a, f.P('kh'), () => {
          tapOut(ih, 'pt', a, 'Ho', oh);
          f.rangeContinue(b, f.P('kw'), () => {
            tapOut(iw, 'pl', b, 'Wo', ow);
            f.addr(dp, f.P('dy'), () => f.index([n, null], [oh, f.P('Ho')], [ow, f.P('Wo')]), cb);
            f.addr(fp, f.P('f'), () => f.index([a, null], [b, f.P('kw')]), cb);
            acc.forEach((v, i) => f.get(v).vload(dp, 16 * i).vload(fp, 16 * i).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(v));
          });
        });
        f.addr(xp, f.P('dx'), () => f.index([n, null], [ih, f.P('H')], [iw, f.P('W')]), cb);
        if (mask) f.addr(fp, f.P('x'), () => f.index([n, null], [ih, f.P('H')], [iw, f.P('W')]), cb);
        acc.forEach((v, i) => {
          f.get(xp).get(v);
          if (mask) f.vload(fp, 16 * i).zeroV().simd(SIMD.f32x4_gt).simd(SIMD.v128_and);
          if (accumulate) f.vload(xp, 16 * i).simd(SIMD.f32x4_add);
          f.storeV(16 * i);
        });
      }),
    ),
  );
  return f;
}

/**
 * The filter gradient of dwForward into float64 totals (added to what `out` holds):
 * out[a,b,c] += Σ_{n,oh,ow} dy[n,oh,ow,c]·x[n, s·oh + d·a − pt, s·ow + d·b − pl, c] (relu(x) when `relu`).
 */
export function dwFilterGradChecked(C: number, relu: boolean): Fn {
  const V = C / 4;
  const cb = C * 4;
  const f = new K('k', ['x', 'dy', 'out', 'N', 'H', 'W', 'Ho', 'Wo', 'kh', 'kw', 's', 'd', 'pt', 'pl']);
  const [a, b, n, oh, ow, ih, iw, xrow, dp, xp, op] = f.many(11, 'i32');
  const acc = f.many(V, 'v128');
  f.range(a, f.P('kh'), () =>
    f.range(b, f.P('kw'), () => {
      f.addr(op, f.P('out'), () => f.index([a, null], [b, f.P('kw')]), C * 8);
      f.range(n, f.P('N'), () =>
        f.rangeContinue(oh, f.P('Ho'), () => {
          f.get(f.P('s')).get(oh).emit(OP.i32_mul).get(f.P('d')).get(a).emit(OP.i32_mul, OP.i32_add).get(f.P('pt')).emit(OP.i32_sub).tee(ih);
          f.get(f.P('H')).emit(OP.i32_ge_u).brIf(0);
          f.addr(xrow, f.P('x'), () => f.index([n, null], [ih, f.P('H')]).get(f.P('W')).emit(OP.i32_mul), cb);
          for (const v of acc) f.zeroV().set(v);
          f.rangeContinue(ow, f.P('Wo'), () => {
            f.get(f.P('s')).get(ow).emit(OP.i32_mul).get(f.P('d')).get(b).emit(OP.i32_mul, OP.i32_add).get(f.P('pl')).emit(OP.i32_sub).tee(iw);
            f.get(f.P('W')).emit(OP.i32_ge_u).brIf(0);
            f.addr(xp, xrow, () => f.get(iw), cb);
            f.addr(dp, f.P('dy'), () => f.index([n, null], [oh, f.P('Ho')], [ow, f.P('Wo')]), cb);
            acc.forEach((v, i) => {
              f.get(v).vload(xp, 16 * i);
              if (relu) f.relu();
              f.vload(dp, 16 * i).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(v);
            });
          });
          acc.forEach((v, i) => f.foldF64(v, op, 32 * i));
        }),
      );
    }),
  );
  return f;
}

/**
 * 1×1 convolution on a (possibly subsampled) input: y[n,i,j, yOff + o] = Σ_c x[n, s·i + off, s·j + off, c]·w[c, o]
 * (relu(x) when `relu`), w [Cin, Cout]; y's pixels are yStride floats apart (a channel slice of a wider tensor).
 */
export function pwForward(Cout: number, relu: boolean): Fn {
  const V = Cout / 4;
  const f = new K('k', ['x', 'w', 'y', 'N', 'Hin', 'Win', 'Cin', 'Ho', 'Wo', 's', 'off', 'yStride', 'yOff']);
  const [n, i, j, c, xp, wp, yp, cbIn] = f.many(8, 'i32');
  const acc = f.many(V, 'v128');
  const xs = f.local('v128');
  f.get(f.P('Cin')).i32(4).emit(OP.i32_mul).set(cbIn);
  f.range(n, f.P('N'), () =>
    f.range(i, f.P('Ho'), () =>
      f.range(j, f.P('Wo'), () => {
        for (const v of acc) f.zeroV().set(v);
        // xp = x + ((n·Hin + s·i + off)·Win + s·j + off)·Cin·4
        f.get(f.P('x'));
        f.get(n).get(f.P('Hin')).emit(OP.i32_mul).get(f.P('s')).get(i).emit(OP.i32_mul, OP.i32_add).get(f.P('off')).emit(OP.i32_add);
        f.get(f.P('Win')).emit(OP.i32_mul).get(f.P('s')).get(j).emit(OP.i32_mul, OP.i32_add).get(f.P('off')).emit(OP.i32_add);
        f.get(cbIn).emit(OP.i32_mul, OP.i32_add).set(xp);
        f.get(f.P('w')).set(wp);
        f.range(c, f.P('Cin'), () => {
          f.get(xp).loadF32().simd(SIMD.f32x4_splat);
          if (relu) f.relu();
          f.set(xs);
          acc.forEach((v, k) => f.get(v).get(xs).vload(wp, 16 * k).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(v));
          f.get(xp).i32(4).emit(OP.i32_add).set(xp);
          f.get(wp).i32(Cout * 4).emit(OP.i32_add).set(wp);
        });
        f.get(f.P('y'));
        f.index([n, null], [i, f.P('Ho')], [j, f.P('Wo')]).get(f.P('yStride')).emit(OP.i32_mul).get(f.P('yOff')).emit(OP.i32_add);
        f.i32(4).emit(OP.i32_mul, OP.i32_add).set(yp);
        acc.forEach((v, k) => f.get(yp).get(v).storeV(16 * k));
      }),
    ),
  );
  return f;
}

/**
 * The input gradient of pwForward: dx[n, s·i + off, s·j + off, c] (+)= Σ_o dy[n,i,j, dyOff + o]·wT[o, c], × (x > 0)
 * when `mask`. wT is the transposed weight [Cout, Cin]; `Cin` (this kernel's vector count) is specialised.
 */
export function pwInputGrad(Cin: number, mask: boolean, accumulate: boolean): Fn {
  const V = Cin / 4;
  const f = new K('k', ['dy', 'wT', 'dx', 'x', 'N', 'Hin', 'Win', 'Cout', 'Ho', 'Wo', 's', 'off', 'dyStride', 'dyOff']);
  const [n, i, j, o, dp, wp, xp, mp] = f.many(8, 'i32');
  const acc = f.many(V, 'v128');
  const ds = f.local('v128');
  f.range(n, f.P('N'), () =>
    f.range(i, f.P('Ho'), () =>
      f.range(j, f.P('Wo'), () => {
        for (const v of acc) f.zeroV().set(v);
        f.get(f.P('dy'));
        f.index([n, null], [i, f.P('Ho')], [j, f.P('Wo')]).get(f.P('dyStride')).emit(OP.i32_mul).get(f.P('dyOff')).emit(OP.i32_add);
        f.i32(4).emit(OP.i32_mul, OP.i32_add).set(dp);
        f.get(f.P('wT')).set(wp);
        f.range(o, f.P('Cout'), () => {
          f.get(dp).loadF32().simd(SIMD.f32x4_splat).set(ds);
          acc.forEach((v, k) => f.get(v).get(ds).vload(wp, 16 * k).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(v));
          f.get(dp).i32(4).emit(OP.i32_add).set(dp);
          f.get(wp).i32(Cin * 4).emit(OP.i32_add).set(wp);
        });
        // Pixel offset of (n, s·i + off, s·j + off) in bytes.
        f.get(n).get(f.P('Hin')).emit(OP.i32_mul).get(f.P('s')).get(i).emit(OP.i32_mul, OP.i32_add).get(f.P('off')).emit(OP.i32_add);
        f.get(f.P('Win')).emit(OP.i32_mul).get(f.P('s')).get(j).emit(OP.i32_mul, OP.i32_add).get(f.P('off')).emit(OP.i32_add);
        f.i32(Cin * 4).emit(OP.i32_mul).set(mp);
        f.get(f.P('dx')).get(mp).emit(OP.i32_add).set(xp);
        if (mask) f.get(f.P('x')).get(mp).emit(OP.i32_add).set(mp);
        acc.forEach((v, k) => {
          f.get(xp).get(v);
          if (mask) f.vload(mp, 16 * k).zeroV().simd(SIMD.f32x4_gt).simd(SIMD.v128_and);
          if (accumulate) f.vload(xp, 16 * k).simd(SIMD.f32x4_add);
          f.storeV(16 * k);
        });
      }),
    ),
  );
  return f;
}

/**
 * The weight gradient of pwForward into float64 totals [Cin, Cout] (added to `out`):
 * out[c, o] += Σ_{n,i,j} x[n, s·i + off, s·j + off, c]·dy[n,i,j, dyOff + o] (relu(x) when `relu`).
 * Pixels go in blocks (a dense input: 32 consecutive pixels; a subsampled one: an output row), and each
 * block is read for every group of `cb` input channels while it is still in cache (cb·Cout/4
 * accumulators; Cin must be a multiple of cb).
 */
export function pwWeightGrad(Cout: number, cb: number, relu: boolean, dense: boolean): Fn {
  const V = Cout / 4;
  const BLOCK = 32;
  const f = new K('k', ['x', 'dy', 'out', 'N', 'Hin', 'Win', 'Cin', 'Ho', 'Wo', 's', 'off', 'dyStride', 'dyOff']);
  const [c0, n, i, j, xp, dp, op, p0, pend, M, xrow, drow] = f.many(12, 'i32');
  const acc = Array.from({ length: cb }, () => f.many(V, 'v128'));
  const dyv = f.many(V, 'v128');
  const xs = f.local('v128');
  /** One pixel: dy at dp, x (input channels c0 …) at xp. */
  const pixel = () => {
    dyv.forEach((v, k) => f.vload(dp, 16 * k).set(v));
    acc.forEach((row, cc) => {
      f.get(xp).loadF32(4 * cc).simd(SIMD.f32x4_splat);
      if (relu) f.relu();
      f.set(xs);
      row.forEach((v, k) => f.get(v).get(xs).get(dyv[k]!).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(v));
    });
  };
  const fold = () =>
    acc.forEach((row, cc) => {
      f.addr(op, f.P('out'), () => f.get(c0).i32(cc).emit(OP.i32_add), Cout * 8);
      row.forEach((v, k) => f.foldF64(v, op, 32 * k));
    });
  const zero = () => {
    for (const row of acc) for (const v of row) f.zeroV().set(v);
  };
  if (dense) {
    // Input pixel p is x + p·Cin·4; dy pixel p is dy + (p·dyStride + dyOff)·4.
    f.get(f.P('N')).get(f.P('Ho')).emit(OP.i32_mul).get(f.P('Wo')).emit(OP.i32_mul).set(M);
    f.for(p0, () => f.i32(0), () => f.get(M), BLOCK, () => {
      f.get(p0).i32(BLOCK).emit(OP.i32_add).tee(pend).get(M).emit(OP.i32_gt_s);
      f.if(() => f.get(M).set(pend));
      f.for(c0, () => f.i32(0), () => f.get(f.P('Cin')), cb, () => {
        zero();
        f.get(f.P('x')).get(p0).get(f.P('Cin')).emit(OP.i32_mul).get(c0).emit(OP.i32_add).i32(4).emit(OP.i32_mul, OP.i32_add).set(xp);
        f.get(f.P('dy')).get(p0).get(f.P('dyStride')).emit(OP.i32_mul).get(f.P('dyOff')).emit(OP.i32_add).i32(4).emit(OP.i32_mul, OP.i32_add).set(dp);
        f.for(j, () => f.get(p0), () => f.get(pend), 1, () => {
          pixel();
          f.get(xp).get(f.P('Cin')).i32(4).emit(OP.i32_mul, OP.i32_add).set(xp);
          f.get(dp).get(f.P('dyStride')).i32(4).emit(OP.i32_mul, OP.i32_add).set(dp);
        });
        fold();
      });
    });
    return f;
  }
  f.range(n, f.P('N'), () =>
    f.range(i, f.P('Ho'), () => {
      // Row starts: x at (n, s·i + off, off), dy at (n, i, 0).
      f.get(f.P('x'));
      f.get(n).get(f.P('Hin')).emit(OP.i32_mul).get(f.P('s')).get(i).emit(OP.i32_mul, OP.i32_add).get(f.P('off')).emit(OP.i32_add);
      f.get(f.P('Win')).emit(OP.i32_mul).get(f.P('off')).emit(OP.i32_add).get(f.P('Cin')).emit(OP.i32_mul).i32(4).emit(OP.i32_mul, OP.i32_add).set(xrow);
      f.get(f.P('dy'));
      f.index([n, null], [i, f.P('Ho')]).get(f.P('Wo')).emit(OP.i32_mul).get(f.P('dyStride')).emit(OP.i32_mul).get(f.P('dyOff')).emit(OP.i32_add);
      f.i32(4).emit(OP.i32_mul, OP.i32_add).set(drow);
      f.for(c0, () => f.i32(0), () => f.get(f.P('Cin')), cb, () => {
        zero();
        f.get(xrow).get(c0).i32(4).emit(OP.i32_mul, OP.i32_add).set(xp);
        f.get(drow).set(dp);
        f.range(j, f.P('Wo'), () => {
          pixel();
          f.get(xp).get(f.P('s')).get(f.P('Cin')).emit(OP.i32_mul).i32(4).emit(OP.i32_mul, OP.i32_add).set(xp);
          f.get(dp).get(f.P('dyStride')).i32(4).emit(OP.i32_mul, OP.i32_add).set(dp);
        });
        fold();
      });
    }),
  );
  return f;
}

/**
 * Per-channel float64 totals over M pixels, added to `out`:
 *   mode 'sum':     out[c]      += Σ_p a[p,c]
 *   mode 'sqdiff':  out[c]      += Σ_p (a[p,c] − mean[c])²   (mean: float32 [C] at `b`)
 *   mode 'dots':    out[k·C + c] += Σ_p a[p,c]·t_k[p,c] for the K tensors whose pointers are the i32 list at `b`.
 * Pixels go in blocks of 64 (float32 partial sums, then float64), each block read once for all K.
 */
export function channelTotals(C: number, mode: 'sum' | 'sqdiff' | 'dots'): Fn {
  const V = C / 4;
  const BLOCK = 64;
  const f = new K('k', ['a', 'b', 'out', 'M', 'K']);
  const [p0, p, end, k, ap, tp, op, tbase] = f.many(8, 'i32');
  const acc = f.many(V, 'v128');
  const mean = f.many(V, 'v128');
  if (mode === 'sqdiff') mean.forEach((v, i) => f.get(f.P('b')).loadV(16 * i).set(v));
  const body = (inner: () => void) => {
    for (const v of acc) f.zeroV().set(v);
    f.for(p, () => f.get(p0), () => f.get(end), 1, inner);
  };
  f.for(p0, () => f.i32(0), () => f.get(f.P('M')), BLOCK, () => {
    // end = min(p0 + BLOCK, M)
    f.get(p0).i32(BLOCK).emit(OP.i32_add).tee(end).get(f.P('M')).emit(OP.i32_gt_s);
    f.if(() => f.get(f.P('M')).set(end));
    if (mode === 'dots') {
      f.range(k, f.P('K'), () => {
        f.get(f.P('b')).get(k).i32(4).emit(OP.i32_mul, OP.i32_add).loadI32().set(tbase);
        body(() => {
          f.addr(ap, f.P('a'), () => f.get(p), C * 4);
          f.addr(tp, tbase, () => f.get(p), C * 4);
          acc.forEach((v, i) => f.get(v).vload(ap, 16 * i).vload(tp, 16 * i).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(v));
        });
        f.addr(op, f.P('out'), () => f.get(k), C * 8);
        acc.forEach((v, i) => f.foldF64(v, op, 32 * i));
      });
    } else {
      const diff = f.local('v128');
      body(() => {
        f.addr(ap, f.P('a'), () => f.get(p), C * 4);
        acc.forEach((v, i) => {
          if (mode === 'sqdiff') f.get(v).vload(ap, 16 * i).get(mean[i]!).simd(SIMD.f32x4_sub).tee(diff).get(diff).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(v);
          else f.get(v).vload(ap, 16 * i).simd(SIMD.f32x4_add).set(v);
        });
      });
      f.get(f.P('out')).set(op);
      acc.forEach((v, i) => f.foldF64(v, op, 32 * i));
    }
  });
  return f;
}

/**
 * Per-channel affine maps over M pixels (C specialised; coefficient vectors are float32 [C] at their pointers):
 *   'normalize': y = (a − c1)·c2                  (batch norm with mean c1, 1/std c2)
 *   'affine3':   y = c1·a + c2·b + c3            (batch-norm backward: a = dy, b = x̂)
 */
export function channelAffine(C: number, mode: 'normalize' | 'affine3'): Fn {
  const V = C / 4;
  const f = new K('k', ['a', 'b', 'y', 'c1', 'c2', 'c3', 'M']);
  const [p, ap, bp, yp] = f.many(4, 'i32');
  const k1 = f.many(V, 'v128');
  const k2 = f.many(V, 'v128');
  const k3 = f.many(V, 'v128');
  k1.forEach((v, i) => f.get(f.P('c1')).loadV(16 * i).set(v));
  k2.forEach((v, i) => f.get(f.P('c2')).loadV(16 * i).set(v));
  if (mode === 'affine3') k3.forEach((v, i) => f.get(f.P('c3')).loadV(16 * i).set(v));
  f.get(f.P('a')).set(ap);
  f.get(f.P('b')).set(bp);
  f.get(f.P('y')).set(yp);
  f.range(p, f.P('M'), () => {
    for (let i = 0; i < V; i++) {
      f.get(yp);
      if (mode === 'normalize') f.vload(ap, 16 * i).get(k1[i]!).simd(SIMD.f32x4_sub).get(k2[i]!).simd(SIMD.f32x4_mul);
      else {
        f.vload(ap, 16 * i).get(k1[i]!).simd(SIMD.f32x4_mul);
        f.vload(bp, 16 * i).get(k2[i]!).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add);
        f.get(k3[i]!).simd(SIMD.f32x4_add);
      }
      f.storeV(16 * i);
    }
    f.get(ap).i32(C * 4).emit(OP.i32_add).set(ap);
    if (mode === 'affine3') f.get(bp).i32(C * 4).emit(OP.i32_add).set(bp);
    f.get(yp).i32(C * 4).emit(OP.i32_add).set(yp);
  });
  return f;
}

/**
 * out (+)= Σ_k w_k·t_k over `nv` vectors of 4 floats; the K (pointer i32, weight f32) pairs are at `list`
 * (8 bytes each). In blocks of 256 vectors, so `out`'s block stays in cache while each t_k streams once.
 */
export function weightedSum(accumulate: boolean): Fn {
  const BLOCK = 256;
  const f = new K('k', ['list', 'K', 'out', 'nv']);
  const [b0, end, k, v, tp, op] = f.many(6, 'i32');
  const w = f.local('v128');
  f.for(b0, () => f.i32(0), () => f.get(f.P('nv')), BLOCK, () => {
    f.get(b0).i32(BLOCK).emit(OP.i32_add).tee(end).get(f.P('nv')).emit(OP.i32_gt_s);
    f.if(() => f.get(f.P('nv')).set(end));
    f.range(k, f.P('K'), () => {
      f.get(f.P('list')).get(k).i32(8).emit(OP.i32_mul, OP.i32_add).loadI32().get(b0).i32(16).emit(OP.i32_mul, OP.i32_add).set(tp);
      f.get(f.P('list')).get(k).i32(8).emit(OP.i32_mul, OP.i32_add).loadF32(4).simd(SIMD.f32x4_splat).set(w);
      f.get(f.P('out')).get(b0).i32(16).emit(OP.i32_mul, OP.i32_add).set(op);
      const loop = (first: boolean) =>
        f.for(v, () => f.get(b0), () => f.get(end), 1, () => {
          f.get(op);
          f.get(tp).loadV().get(w).simd(SIMD.f32x4_mul);
          if (!first) f.get(op).loadV().simd(SIMD.f32x4_add);
          f.storeV();
          f.get(tp).i32(16).emit(OP.i32_add).set(tp);
          f.get(op).i32(16).emit(OP.i32_add).set(op);
        });
      if (accumulate) loop(false);
      else {
        f.get(k).emit(OP.i32_eqz);
        f.if(
          () => loop(true),
          () => loop(false),
        );
      }
    });
  });
  return f;
}

/**
 * Pooling forward, k×k window, stride s, padding p (padding is skipped, as PyTorch's max and its
 * count_include_pad=False average): 'max' or 'avg'.
 */
export function poolForward(C: number, kind: 'max' | 'avg'): Fn {
  const V = C / 4;
  const cb = C * 4;
  const f = new K('k', ['x', 'y', 'N', 'H', 'W', 'Ho', 'Wo', 'k', 's', 'p']);
  const [n, oh, ow, a, b, ih, iw, xp, yp, cnt] = f.many(10, 'i32');
  const acc = f.many(V, 'v128');
  f.range(n, f.P('N'), () =>
    f.range(oh, f.P('Ho'), () =>
      f.range(ow, f.P('Wo'), () => {
        for (const v of acc) (kind === 'max' ? f.f32(-Infinity).simd(SIMD.f32x4_splat) : f.zeroV()).set(v);
        f.i32(0).set(cnt);
        f.rangeContinue(a, f.P('k'), () => {
          f.get(f.P('s')).get(oh).emit(OP.i32_mul).get(a).emit(OP.i32_add).get(f.P('p')).emit(OP.i32_sub).tee(ih);
          f.get(f.P('H')).emit(OP.i32_ge_u).brIf(0);
          f.rangeContinue(b, f.P('k'), () => {
            f.get(f.P('s')).get(ow).emit(OP.i32_mul).get(b).emit(OP.i32_add).get(f.P('p')).emit(OP.i32_sub).tee(iw);
            f.get(f.P('W')).emit(OP.i32_ge_u).brIf(0);
            f.addr(xp, f.P('x'), () => f.index([n, null], [ih, f.P('H')], [iw, f.P('W')]), cb);
            f.get(cnt).i32(1).emit(OP.i32_add).set(cnt);
            acc.forEach((v, i) => f.get(v).vload(xp, 16 * i).simd(kind === 'max' ? SIMD.f32x4_max : SIMD.f32x4_add).set(v));
          });
        });
        f.addr(yp, f.P('y'), () => f.index([n, null], [oh, f.P('Ho')], [ow, f.P('Wo')]), cb);
        acc.forEach((v, i) => {
          f.get(yp).get(v);
          if (kind === 'avg') f.f32(1).get(cnt).emit(OP.f32_convert_i32_s, OP.f32_div).simd(SIMD.f32x4_splat).simd(SIMD.f32x4_mul);
          f.storeV(16 * i);
        });
      }),
    ),
  );
  return f;
}

/**
 * Pooling backward, added into dx (the caller zeroes a fresh dx): 'max' routes dy to the first maximum of
 * each window in row-major order (PyTorch's CPU rule; x is the pooled input); 'avg' spreads dy/count over
 * the window's real elements.
 */
export function poolGrad(C: number, kind: 'max' | 'avg'): Fn {
  const V = C / 4;
  const cb = C * 4;
  const f = new K('k', ['x', 'dy', 'dx', 'N', 'H', 'W', 'Ho', 'Wo', 'k', 's', 'p']);
  const [n, oh, ow, a, b, ih, iw, xp, dp, t, cnt] = f.many(11, 'i32');
  const best = f.many(V, 'v128');
  const idx = f.many(V, 'v128');
  const g = f.many(V, 'v128');
  // The window position of tap (a, b), row-major: names the chosen maximum.
  const tapIndex = () => f.get(a).get(f.P('k')).emit(OP.i32_mul).get(b).emit(OP.i32_add);
  f.range(n, f.P('N'), () =>
    f.range(oh, f.P('Ho'), () =>
      f.range(ow, f.P('Wo'), () => {
        f.addr(dp, f.P('dy'), () => f.index([n, null], [oh, f.P('Ho')], [ow, f.P('Wo')]), cb);
        if (kind === 'max') {
          for (const v of best) f.f32(-Infinity).simd(SIMD.f32x4_splat).set(v);
          for (const v of idx) f.i32(-1).simd(SIMD.i32x4_splat).set(v);
        } else f.i32(0).set(cnt);
        const window = (body: () => void) =>
          f.rangeContinue(a, f.P('k'), () => {
            f.get(f.P('s')).get(oh).emit(OP.i32_mul).get(a).emit(OP.i32_add).get(f.P('p')).emit(OP.i32_sub).tee(ih);
            f.get(f.P('H')).emit(OP.i32_ge_u).brIf(0);
            f.rangeContinue(b, f.P('k'), () => {
              f.get(f.P('s')).get(ow).emit(OP.i32_mul).get(b).emit(OP.i32_add).get(f.P('p')).emit(OP.i32_sub).tee(iw);
              f.get(f.P('W')).emit(OP.i32_ge_u).brIf(0);
              f.addr(xp, f.P('x'), () => f.index([n, null], [ih, f.P('H')], [iw, f.P('W')]), cb);
              body();
            });
          });
        if (kind === 'max') {
          // First pass: the first maximum per lane (strictly greater replaces), as its tap index.
          window(() => {
            tapIndex();
            f.set(t);
            best.forEach((v, i) => {
              const gt = g[i]!;
              f.vload(xp, 16 * i).get(v).simd(SIMD.f32x4_gt).set(gt);
              f.vload(xp, 16 * i).get(v).get(gt).simd(SIMD.v128_bitselect).set(v);
              f.get(t).simd(SIMD.i32x4_splat).get(idx[i]!).get(gt).simd(SIMD.v128_bitselect).set(idx[i]!);
            });
          });
          for (let i = 0; i < V; i++) f.vload(dp, 16 * i).set(g[i]!);
          // Second pass: dx[window position] += dy where it was the chosen one. (x's pointer equals dx's offset.)
          window(() => {
            tapIndex();
            f.set(t);
            f.get(xp).get(f.P('x')).emit(OP.i32_sub).get(f.P('dx')).emit(OP.i32_add).set(xp);
            for (let i = 0; i < V; i++) {
              f.get(xp).vload(xp, 16 * i);
              f.get(g[i]!).get(idx[i]!).get(t).simd(SIMD.i32x4_splat).simd(SIMD.i32x4_eq).simd(SIMD.v128_and);
              f.simd(SIMD.f32x4_add).storeV(16 * i);
            }
          });
        } else {
          window(() => f.get(cnt).i32(1).emit(OP.i32_add).set(cnt));
          for (let i = 0; i < V; i++) f.vload(dp, 16 * i).f32(1).get(cnt).emit(OP.f32_convert_i32_s, OP.f32_div).simd(SIMD.f32x4_splat).simd(SIMD.f32x4_mul).set(g[i]!);
          window(() => {
            f.get(xp).get(f.P('x')).emit(OP.i32_sub).get(f.P('dx')).emit(OP.i32_add).set(xp);
            for (let i = 0; i < V; i++) f.get(xp).vload(xp, 16 * i).get(g[i]!).simd(SIMD.f32x4_add).storeV(16 * i);
          });
        }
      }),
    ),
  );
  return f;
}

/** Copy C channels per pixel between channel slices: dst[p, dOff + c] = src[p, sOff + c] for M pixels (C, offsets multiples of 4). */
export function channelCopy(): Fn {
  const f = new K('k', ['src', 'sStride', 'sOff', 'dst', 'dStride', 'dOff', 'M', 'C']);
  const [p, c, sp, dp] = f.many(4, 'i32');
  f.range(p, f.P('M'), () => {
    f.get(f.P('src')).get(p).get(f.P('sStride')).emit(OP.i32_mul).get(f.P('sOff')).emit(OP.i32_add).i32(4).emit(OP.i32_mul, OP.i32_add).set(sp);
    f.get(f.P('dst')).get(p).get(f.P('dStride')).emit(OP.i32_mul).get(f.P('dOff')).emit(OP.i32_add).i32(4).emit(OP.i32_mul, OP.i32_add).set(dp);
    f.for(c, () => f.i32(0), () => f.get(f.P('C')), 4, () => {
      f.get(dp).get(sp).loadV().storeV();
      f.get(sp).i32(16).emit(OP.i32_add).set(sp);
      f.get(dp).i32(16).emit(OP.i32_add).set(dp);
    });
  });
  return f;
}

// ── padded, check-free variants (the activations are first copied into a zero-bordered scratch) ──────

/**
 * dst[n, top + spread·h, left + spread·w, :] = relu?(src[n, h, w, :]) for all src pixels; the caller has
 * set the rest of dst (zero, or −∞ for max pooling). dst is Hp×Wp per image.
 */
export function padCopy(C: number, spread: number, relu: boolean): Fn {
  const V = C / 4;
  const cb = C * 4;
  const f = new K('k', ['src', 'dst', 'N', 'H', 'W', 'Hp', 'Wp', 'top', 'left']);
  const [n, h, w, sp, dp] = f.many(5, 'i32');
  f.get(f.P('src')).set(sp);
  f.range(n, f.P('N'), () =>
    f.range(h, f.P('H'), () => {
      // dp = dst + ((n·Hp + top + spread·h)·Wp + left)·cb
      f.get(f.P('dst'));
      f.get(n).get(f.P('Hp')).emit(OP.i32_mul).get(f.P('top')).emit(OP.i32_add).get(h).i32(spread).emit(OP.i32_mul, OP.i32_add);
      f.get(f.P('Wp')).emit(OP.i32_mul).get(f.P('left')).emit(OP.i32_add).i32(cb).emit(OP.i32_mul, OP.i32_add).set(dp);
      f.range(w, f.P('W'), () => {
        for (let v = 0; v < V; v++) {
          f.get(dp).vload(sp, 16 * v);
          if (relu) f.relu();
          f.storeV(16 * v);
        }
        f.get(sp).i32(cb).emit(OP.i32_add).set(sp);
        f.get(dp).i32(spread * cb).emit(OP.i32_add).set(dp);
      });
    }),
  );
  return f;
}

/**
 * y[n,oh,ow] (+)= Σ_{a,b} f[a,b]·xp[n, s·oh + d·a, s·ow + d·b] on a padded input (no bounds checks), × (x > 0)
 * when `mask` (x: an unpadded tensor shaped like y). Specialised on C, k, d, s and the padded width Wp,
 * so every tap is an immediate offset.
 */
export function dwGather(C: number, k: number, d: number, s: number, Wp: number, mask: boolean, accumulate: boolean): Fn {
  const V = C / 4;
  const cb = C * 4;
  const f = new K('k', ['xp', 'f', 'y', 'x', 'N', 'Hp', 'Ho', 'Wo']);
  const [n, oh, ow, px, yp, mp] = f.many(6, 'i32');
  // Two accumulator sets (even and odd taps): halves the dependency chain of adds per vector.
  const acc = [f.many(V, 'v128'), f.many(V, 'v128')];
  f.get(f.P('y')).set(yp);
  f.get(f.P('x')).set(mp);
  f.range(n, f.P('N'), () =>
    f.range(oh, f.P('Ho'), () => {
      // px = xp + (n·Hp + s·oh)·Wp·cb
      f.get(f.P('xp')).get(n).get(f.P('Hp')).emit(OP.i32_mul).get(oh).i32(s).emit(OP.i32_mul, OP.i32_add).i32(Wp * cb).emit(OP.i32_mul, OP.i32_add).set(px);
      f.range(ow, f.P('Wo'), () => {
        let t = 0;
        for (let a = 0; a < k; a++)
          for (let b = 0; b < k; b++, t++) {
            const off = (d * a * Wp + d * b) * cb;
            const foff = (a * k + b) * cb;
            const set = acc[t % 2]!;
            for (let v = 0; v < V; v++) {
              if (t >= 2) f.get(set[v]!);
              f.vload(px, off + 16 * v).get(f.P('f')).loadV(foff + 16 * v).simd(SIMD.f32x4_mul);
              if (t >= 2) f.simd(SIMD.f32x4_add);
              f.set(set[v]!);
            }
          }
        for (let v = 0; v < V; v++) {
          f.get(yp).get(acc[0]![v]!);
          if (k * k > 1) f.get(acc[1]![v]!).simd(SIMD.f32x4_add);
          if (mask) f.vload(mp, 16 * v).zeroV().simd(SIMD.f32x4_gt).simd(SIMD.v128_and);
          if (accumulate) f.vload(yp, 16 * v).simd(SIMD.f32x4_add);
          f.storeV(16 * v);
        }
        f.get(px).i32(s * cb).emit(OP.i32_add).set(px);
        f.get(yp).i32(cb).emit(OP.i32_add).set(yp);
        if (mask) f.get(mp).i32(cb).emit(OP.i32_add).set(mp);
      });
    }),
  );
  return f;
}

/**
 * Filter gradient on a padded input, into float64 totals: out[a,b,:] += Σ_{n,oh,ow} dy[n,oh,ow]·xp[n, s·oh + d·a, s·ow + d·b].
 * One output row at a time: the row and the k input rows it reads stay in cache for all k² taps.
 */
export function dwFilterPadded(C: number, k: number, d: number, s: number, Wp: number): Fn {
  const V = C / 4;
  const cb = C * 4;
  const f = new K('k', ['xp', 'dy', 'out', 'N', 'Hp', 'Ho', 'Wo']);
  const [n, oh, ow, xrow, dyrow, px, pd, op] = f.many(8, 'i32');
  const acc = f.many(V, 'v128');
  f.get(f.P('dy')).set(dyrow);
  f.range(n, f.P('N'), () =>
    f.range(oh, f.P('Ho'), () => {
      f.get(f.P('xp')).get(n).get(f.P('Hp')).emit(OP.i32_mul).get(oh).i32(s).emit(OP.i32_mul, OP.i32_add).i32(Wp * cb).emit(OP.i32_mul, OP.i32_add).set(xrow);
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) {
          for (const v of acc) f.zeroV().set(v);
          f.get(xrow).i32((d * a * Wp + d * b) * cb).emit(OP.i32_add).set(px);
          f.get(dyrow).set(pd);
          f.range(ow, f.P('Wo'), () => {
            for (let v = 0; v < V; v++) f.get(acc[v]!).vload(pd, 16 * v).vload(px, 16 * v).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add).set(acc[v]!);
            f.get(pd).i32(cb).emit(OP.i32_add).set(pd);
            f.get(px).i32(s * cb).emit(OP.i32_add).set(px);
          });
          f.get(f.P('out')).i32((a * k + b) * C * 8).emit(OP.i32_add).set(op);
          acc.forEach((v, i) => f.foldF64(v, op, 32 * i));
        }
      f.get(dyrow).get(f.P('Wo')).i32(cb).emit(OP.i32_mul, OP.i32_add).set(dyrow);
    }),
  );
  return f;
}

/**
 * Stride-1 depthwise conv on a padded input, register-tiled: P adjacent output pixels at a time, each
 * input vector of a tap row loaded once and used by every (pixel, tap) pair that reads it, each filter
 * vector once per block. y[n,oh,ow] (+)= Σ_{a,b} f[a,b]·xp[n, oh + d·a, ow + d·b] (× (x > 0) with `mask`).
 */
export function dwWindow(C: number, k: number, d: number, Wp: number, P: number, mask: boolean, accumulate: boolean): Fn {
  const V = C / 4;
  const cb = C * 4;
  const span = P + d * (k - 1);
  const f = new K('k', ['xp', 'f', 'y', 'x', 'N', 'Hp', 'Ho', 'Wo']);
  const [n, oh, ow, px, yp, mp, end] = f.many(7, 'i32');
  const acc = f.many(P, 'v128');
  const xs = f.many(span, 'v128');
  const fv = f.local('v128');
  f.get(f.P('y')).set(yp);
  f.get(f.P('x')).set(mp);
  const block = (pixels: number) => {
    for (let v = 0; v < V; v++) {
      for (let a = 0; a < k; a++) {
        const row = d * a * Wp * cb + 16 * v;
        // Load the input vectors this tap row reads for these pixels.
        for (let j = 0; j < pixels + d * (k - 1); j++) f.vload(px, row + j * cb).set(xs[j]!);
        for (let b = 0; b < k; b++) {
          f.get(f.P('f')).loadV((a * k + b) * cb + 16 * v).set(fv);
          for (let q = 0; q < pixels; q++) {
            const first = a === 0 && b === 0;
            if (!first) f.get(acc[q]!);
            f.get(xs[q + d * b]!).get(fv).simd(SIMD.f32x4_mul);
            if (!first) f.simd(SIMD.f32x4_add);
            f.set(acc[q]!);
          }
        }
      }
      for (let q = 0; q < pixels; q++) {
        f.get(yp).get(acc[q]!);
        if (mask) f.vload(mp, q * cb + 16 * v).zeroV().simd(SIMD.f32x4_gt).simd(SIMD.v128_and);
        if (accumulate) f.vload(yp, q * cb + 16 * v).simd(SIMD.f32x4_add);
        f.storeV(q * cb + 16 * v);
      }
    }
    f.get(px).i32(pixels * cb).emit(OP.i32_add).set(px);
    f.get(yp).i32(pixels * cb).emit(OP.i32_add).set(yp);
    if (mask) f.get(mp).i32(pixels * cb).emit(OP.i32_add).set(mp);
  };
  f.range(n, f.P('N'), () =>
    f.range(oh, f.P('Ho'), () => {
      f.get(f.P('xp')).get(n).get(f.P('Hp')).emit(OP.i32_mul).get(oh).emit(OP.i32_add).i32(Wp * cb).emit(OP.i32_mul, OP.i32_add).set(px);
      // Full blocks of P pixels, then one at a time.
      f.get(f.P('Wo')).get(f.P('Wo')).i32(P).emit(OP.i32_rem_s, OP.i32_sub).set(end);
      f.for(ow, () => f.i32(0), () => f.get(end), P, () => block(P));
      f.for(ow, () => f.get(end), () => f.get(f.P('Wo')), 1, () => block(1));
    }),
  );
  return f;
}

/**
 * Filter gradient of a padded stride-1 depthwise conv, register-tiled like dwWindow: per output row, for
 * each vector lane group and tap row, k accumulators over the row's pixels (P at a time, each input vector
 * loaded once for all taps that read it), folded into float64 totals out[a, b, :] at the end of the row.
 */
export function dwFilterWindow(C: number, k: number, d: number, Wp: number, P: number): Fn {
  const V = C / 4;
  const cb = C * 4;
  const span = P + d * (k - 1);
  const f = new K('k', ['xp', 'dy', 'out', 'N', 'Hp', 'Ho', 'Wo']);
  const [n, oh, ow, xrow, dyrow, px, pd, op, end] = f.many(9, 'i32');
  const acc = f.many(k, 'v128');
  const xs = f.many(span, 'v128');
  const dys = f.many(P, 'v128');
  f.get(f.P('dy')).set(dyrow);
  const block = (pixels: number, v: number, a: number) => {
    for (let q = 0; q < pixels; q++) f.vload(pd, q * cb + 16 * v).set(dys[q]!);
    for (let j = 0; j < pixels + d * (k - 1); j++) f.vload(px, d * a * Wp * cb + j * cb + 16 * v).set(xs[j]!);
    for (let b = 0; b < k; b++) {
      f.get(acc[b]!);
      for (let q = 0; q < pixels; q++) {
        f.get(dys[q]!).get(xs[q + d * b]!).simd(SIMD.f32x4_mul);
        if (q > 0) f.simd(SIMD.f32x4_add);
      }
      f.simd(SIMD.f32x4_add).set(acc[b]!);
    }
    f.get(px).i32(pixels * cb).emit(OP.i32_add).set(px);
    f.get(pd).i32(pixels * cb).emit(OP.i32_add).set(pd);
  };
  f.range(n, f.P('N'), () =>
    f.range(oh, f.P('Ho'), () => {
      f.get(f.P('xp')).get(n).get(f.P('Hp')).emit(OP.i32_mul).get(oh).emit(OP.i32_add).i32(Wp * cb).emit(OP.i32_mul, OP.i32_add).set(xrow);
      f.get(f.P('Wo')).get(f.P('Wo')).i32(P).emit(OP.i32_rem_s, OP.i32_sub).set(end);
      for (let v = 0; v < V; v++)
        for (let a = 0; a < k; a++) {
          for (const r of acc) f.zeroV().set(r);
          f.get(xrow).set(px);
          f.get(dyrow).set(pd);
          f.for(ow, () => f.i32(0), () => f.get(end), P, () => block(P, v, a));
          f.for(ow, () => f.get(end), () => f.get(f.P('Wo')), 1, () => block(1, v, a));
          for (let b = 0; b < k; b++) {
            f.get(f.P('out')).i32(((a * k + b) * C + 4 * v) * 8).emit(OP.i32_add).set(op);
            f.foldF64(acc[b]!, op, 0);
          }
        }
      f.get(dyrow).get(f.P('Wo')).i32(cb).emit(OP.i32_mul, OP.i32_add).set(dyrow);
    }),
  );
  return f;
}
