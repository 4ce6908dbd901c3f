// Test-only: float64 plain-JS helpers for checking ops against independent references.

/** Deterministic uniform numbers in [-1, 1) (mulberry32), so failing cases are reproducible. */
export function randomArray(n: number, seed: number, scale = 1): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Central finite differences of a scalar float64 function: the gradient reference. */
export function finiteDiff(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-4): Float64Array {
  const g = new Float64Array(x.length);
  const xp = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const v = xp[i]!;
    xp[i] = v + eps;
    const fp = f(xp);
    xp[i] = v - eps;
    const fm = f(xp);
    xp[i] = v;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

/** Largest |a-b| / (|b| + floor) over the arrays; floor keeps near-zero entries from dominating. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / (Math.abs(b[i]!) + floor);
    if (e > worst || Number.isNaN(e)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

/** Σ y·r: a scalar loss whose gradient is the vector-Jacobian product with r (checks every output). */
export function dot(y: ArrayLike<number>, r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]! * r[i]!;
  return s;
}

/** Index of element (n, h, w, c) in an NHWC buffer. */
export function nhwc(shape: readonly [number, number, number, number], n: number, h: number, w: number, c: number): number {
  return ((n * shape[1] + h) * shape[2] + w) * shape[3] + c;
}
