import { describe, expect, it } from 'vitest';
import type { GenotypeEdge } from '../../../shared/genotype';
import { edgeCount, SPACE_PRESETS, type Primitive } from '../../../shared/search-space';
import { randomArray } from '../testing/reference';
import {
  decorrelationCandidates,
  decorrelationDiscretize,
  decorrelationVectorCount,
  decorrelationVectorIndex,
  type DecorrelationProjection,
  type DecorrelationResult,
} from './decorrelation';
import { valueDiscretize } from './value';

const S1 = SPACE_PRESETS.S1;
const S2 = SPACE_PRESETS.S2;
const S3 = SPACE_PRESETS.S3;

// ── Explicit-vector helpers (independent of the implementation's coefficient-space algebra) ─────────

/** One cell's explicit feature vectors: y[n], o[n][input][candidate]. */
interface CellVectors {
  y: Float64Array[];
  o: Float64Array[][][];
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: Float64Array) => Math.sqrt(dot(a, a));
const scaled = (a: Float64Array, c: number) => a.map((x) => x * c);
function addScaled(acc: Float64Array, c: number, v: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i]! += c * v[i]!;
}
function cosine(a: Float64Array, b: Float64Array): number {
  const na = norm(a);
  const nb = norm(b);
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

/** The vectors in the documented order: y_0 … y_{N-1}, then n, input, candidate. */
function flatten(cell: CellVectors): Float64Array[] {
  return [...cell.y, ...cell.o.flatMap((edges) => edges.flat())];
}

function gramOf(cell: CellVectors): Float64Array {
  const vs = flatten(cell);
  const V = vs.length;
  const g = new Float64Array(V * V);
  for (let i = 0; i < V; i++) for (let j = 0; j < V; j++) g[i * V + j] = dot(vs[i]!, vs[j]!);
  return g;
}

/** An orthonormal set of `count` vectors in R^dim from seeded random vectors (modified Gram–Schmidt). */
function orthonormal(count: number, dim: number, seed: number): Float64Array[] {
  const out: Float64Array[] = [];
  let s = seed;
  while (out.length < count) {
    const v = randomArray(dim, s++);
    for (let pass = 0; pass < 2; pass++) for (const q of out) addScaled(v, -dot(v, q), q);
    const n = norm(v);
    if (n > 1e-6) out.push(scaled(v, 1 / n));
  }
  return out;
}

function softmax(a: number[]): number[] {
  const m = Math.max(...a);
  const e = a.map((x) => Math.exp(x - m));
  const z = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / z);
}

/**
 * Random supernet-like cells: ops on the same edge share a base (so they correlate), node outputs are the
 * α-weighted sums (`none` contributes zero but takes softmax mass). Returns the cells and the weights.
 */
function randomCells(ops: readonly Primitive[], nodes: number, cells: number, dim: number, seed: number) {
  const cands = decorrelationCandidates(ops);
  const E = edgeCount(nodes);
  const alpha = randomArray(E * ops.length, seed, 2);
  const weights = Array.from({ length: E }, (_, e) => softmax(Array.from(alpha.subarray(e * ops.length, (e + 1) * ops.length))));
  const out: CellVectors[] = [];
  let s = seed * 1000 + 7;
  for (let c = 0; c < cells; c++) {
    const o: Float64Array[][][] = [];
    const y: Float64Array[] = [];
    for (let n = 0; n < nodes; n++) {
      const yn = new Float64Array(dim);
      const edges: Float64Array[][] = [];
      for (let e = 0; e < n + 2; e++) {
        const base = randomArray(dim, s++);
        const row = weights[(n * (n + 3)) / 2 + e]!;
        const vs = cands.map((op) => {
          const v = randomArray(dim, s++, 0.8);
          addScaled(v, 1, base);
          addScaled(yn, row[ops.indexOf(op)]!, v);
          return v;
        });
        edges.push(vs);
      }
      o.push(edges);
      y.push(yn);
    }
    out.push({ y, o });
  }
  return { cells: out, weights };
}

interface RefPick {
  node: number;
  input: number;
  op: Primitive;
  score: number;
  perCell: number[];
}

/**
 * Independent Algorithm 1 on explicit vectors: explicit residuals, explicit projections, explicit cosines.
 * 'span': residual = y minus its projection on the span of the chosen op vectors (explicit orthonormal basis);
 * 'sequential': Eq. 6 with the raw chosen vector on the current residual.
 */
function referenceDecorrelation(cells: CellVectors[], ops: readonly Primitive[], nodes: number, k: number, projection: DecorrelationProjection) {
  const cands = decorrelationCandidates(ops);
  const res = cells.map((c) => c.y.map((v) => Float64Array.from(v)));
  const basis = cells.map(() => [] as Float64Array[]);
  const used: number[][] = Array.from({ length: nodes }, () => []);
  const picks: RefPick[] = [];
  const tables: number[][][][] = [];
  for (let step = 0; step < nodes * k; step++) {
    const table = Array.from({ length: nodes }, (_, n) => Array.from({ length: n + 2 }, () => cands.map(() => NaN)));
    let best: RefPick | undefined;
    for (let n = 0; n < nodes; n++) {
      if (used[n]!.length >= k) continue;
      for (let e = 0; e < n + 2; e++) {
        if (used[n]!.includes(e)) continue;
        for (let j = 0; j < cands.length; j++) {
          const perCell = cells.map((cell, c) => cosine(res[c]![n]!, cell.o[n]![e]![j]!));
          const score = perCell.reduce((a, b) => a + b, 0) / cells.length;
          table[n]![e]![j] = score;
          if (!best || score > best.score) best = { node: n, input: e, op: cands[j]!, score, perCell };
        }
      }
    }
    picks.push(best!);
    tables.push(table);
    used[best!.node]!.push(best!.input);
    cells.forEach((cell, c) => {
      const o = cell.o[best!.node]![best!.input]![cands.indexOf(best!.op)]!;
      if (projection === 'sequential') {
        const o2 = dot(o, o);
        if (o2 === 0) return;
        for (const r of res[c]!) addScaled(r, -dot(r, o) / o2, o);
        return;
      }
      const u = Float64Array.from(o);
      for (let pass = 0; pass < 2; pass++) for (const q of basis[c]!) addScaled(u, -dot(u, q), q);
      const nu = norm(u);
      if (nu <= 1e-6 * norm(o)) return;
      const q = scaled(u, 1 / nu);
      basis[c]!.push(q);
      for (const r of res[c]!) addScaled(r, -dot(r, q), q);
    });
  }
  return { picks, tables };
}

function expectTablesClose(got: number[][][][], want: number[][][][], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((t, s) =>
    t.forEach((node, n) =>
      node.forEach((inp, e) =>
        inp.forEach((x, j) => {
          const w = want[s]![n]![e]![j]!;
          if (Number.isNaN(w)) expect(x, `step ${s} [${n}][${e}][${j}]`).toBeNaN();
          else expect(Math.abs(x - w), `step ${s} [${n}][${e}][${j}]: ${x} vs ${w}`).toBeLessThan(tol);
        }),
      ),
    ),
  );
}

function checkStructure(r: DecorrelationResult, nodes: number, k: number): void {
  expect(r.edges).toHaveLength(nodes * k);
  expect(r.picks).toHaveLength(nodes * k);
  for (let n = 0; n < nodes; n++) {
    const mine = r.edges.slice(n * k, (n + 1) * k);
    expect(new Set(mine.map((e) => e.input)).size, `node ${n} inputs distinct`).toBe(k);
    for (const e of mine) {
      expect(e.op).not.toBe('none');
      expect(e.input).toBeGreaterThanOrEqual(0);
      expect(e.input).toBeLessThanOrEqual(n + 1);
    }
    // edges are the node's picks in pick order
    expect(mine).toEqual(r.picks.filter((p) => p.node === n).map((p) => ({ op: p.op, input: p.input })));
  }
  r.picks.forEach((p, s) => {
    expect(p.step).toBe(s);
    expect(Number.isFinite(p.score)).toBe(true);
    expect(r.scoreTables[s]![p.node]![p.input]![r.candidates.indexOf(p.op)]).toBe(p.score);
  });
}

const g = (...pairs: [Primitive, number][]): GenotypeEdge[] => pairs.map(([op, input]) => ({ op, input }));

// ── Tests ─────────────────────────────────────────────────────────────────────────────────────────

describe('decorrelationVectorIndex', () => {
  it('maps y_n and o_{n,e,j} onto 0 … V-1 in the documented order', () => {
    for (const [ops, nodes] of [
      [S1, 4],
      [S3, 2],
      [['skip_connect', 'none', 'avg_pool_3x3'] as Primitive[], 3],
    ] as const) {
      const cands = decorrelationCandidates(ops);
      expect(cands).not.toContain('none');
      const order: number[] = [];
      for (let n = 0; n < nodes; n++) order.push(decorrelationVectorIndex(nodes, ops, { node: n }));
      for (let n = 0; n < nodes; n++) {
        for (let e = 0; e < n + 2; e++) for (const op of cands) order.push(decorrelationVectorIndex(nodes, ops, { node: n, input: e, op }));
      }
      const V = decorrelationVectorCount(nodes, ops);
      expect(V).toBe(nodes + edgeCount(nodes) * cands.length);
      expect(order).toEqual(Array.from({ length: V }, (_, i) => i));
    }
  });

  it('rejects vectors outside the layout', () => {
    expect(() => decorrelationVectorIndex(2, S3, { node: 2 })).toThrow(/node 2 is outside/);
    expect(() => decorrelationVectorIndex(2, S3, { node: 0, input: 2, op: 'skip_connect' })).toThrow(/inputs 0 … 1/);
    expect(() => decorrelationVectorIndex(2, S3, { node: 0, input: 0, op: 'none' })).toThrow(/not a candidate/);
    expect(() => decorrelationVectorIndex(2, S3, { node: 0, input: 0, op: 'max_pool_3x3' })).toThrow(/not a candidate/);
  });
});

describe('decorrelationDiscretize vs an explicit-vector implementation', () => {
  const cases: [string, readonly Primitive[], number, number, number, number][] = [
    // name, ops, nodes, k, cells, seed
    ['S1, 4 nodes, 3 cells', S1, 4, 2, 3, 11],
    ['S2, 4 nodes, 5 cells', S2, 4, 2, 5, 12],
    ['S3, 3 nodes, 1 cell', S3, 3, 2, 1, 13],
    ['S3, 4 nodes, 2 cells, k = 1', S3, 4, 1, 2, 14],
    ['S1, 2 nodes, 4 cells', S1, 2, 2, 4, 15],
  ];
  for (const projection of ['span', 'sequential'] as const) {
    for (const [name, ops, nodes, k, C, seed] of cases) {
      it(`${projection}: ${name} — same picks, scores, per-cell cosines and score tables (1e-9)`, () => {
        const { cells } = randomCells(ops, nodes, C, 64, seed);
        const got = decorrelationDiscretize({ nodes, k, ops, grams: cells.map(gramOf), projection });
        const want = referenceDecorrelation(cells, ops, nodes, k, projection);
        checkStructure(got, nodes, k);
        expect(got.projection).toBe(projection);
        expect(got.picks.map((p) => [p.node, p.input, p.op])).toEqual(want.picks.map((p) => [p.node, p.input, p.op]));
        got.picks.forEach((p, s) => {
          expect(Math.abs(p.score - want.picks[s]!.score)).toBeLessThan(1e-9);
          expect(p.perCell).toHaveLength(C);
          p.perCell.forEach((x, c) => expect(Math.abs(x - want.picks[s]!.perCell[c]!)).toBeLessThan(1e-9));
        });
        expectTablesClose(got.scoreTables, want.tables, 1e-9);
      });
    }
  }

  it('opCorrelation is the mean over cells of the explicit cosine matrix of each node', () => {
    const ops = S2;
    const nodes = 3;
    const { cells } = randomCells(ops, nodes, 3, 32, 21);
    const got = decorrelationDiscretize({ nodes, k: 2, ops, grams: cells.map(gramOf) });
    const cands = decorrelationCandidates(ops);
    expect(got.opCorrelation.map((x) => x.node)).toEqual([0, 1, 2]);
    for (const { node, labels, matrix } of got.opCorrelation) {
      const flat = cells.map((c) => c.o[node]!.flat());
      expect(labels).toEqual(Array.from({ length: node + 2 }, (_, e) => cands.map((op) => `${op}@${e}`)).flat());
      expect(matrix).toHaveLength(labels.length);
      matrix.forEach((r, a) => {
        expect(r).toHaveLength(labels.length);
        r.forEach((x, b) => {
          const want = flat.reduce((s, vs) => s + cosine(vs[a]!, vs[b]!), 0) / cells.length;
          expect(Math.abs(x - want)).toBeLessThan(1e-12);
        });
        expect(r[a]).toBe(1);
      });
    }
  });
});

describe('decorrelation disagrees with the value rule when α rewards redundancy', () => {
  // Node 1 (inputs 0, 1, 2): skip_connect@0 and avg_pool_3x3@1 have cosine 0.99 and carry the largest α
  // on two different edges; sep_conv_3x3@2 has a slightly smaller α but is orthogonal to both.
  const ops: readonly Primitive[] = S2; // none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3
  const weights = [
    // node 0
    [0.2, 0.1, 0.1, 0.1, 0.5],
    [0.1, 0.1, 0.1, 0.6, 0.1],
    // node 1
    [0.05, 0.1, 0.1, 0.65, 0.1], // input 0: skip_connect 0.65
    [0.1, 0.1, 0.55, 0.15, 0.1], // input 1: avg_pool_3x3 0.55
    [0.15, 0.1, 0.1, 0.15, 0.5], // input 2: sep_conv_3x3 0.5
  ];
  const cands = decorrelationCandidates(ops); // max, avg, skip, sep
  const w = (e: number, op: Primitive) => weights[e]![ops.indexOf(op)]!;

  function buildCell(seed: number): CellVectors {
    const dim = 40;
    const b = orthonormal(22, dim, seed);
    const s = b[0]!;
    const a = scaled(s, 0.99);
    addScaled(a, Math.sqrt(1 - 0.99 * 0.99), b[1]!);
    const sep = b[2]!;
    // Node 1's other candidates: orthonormal directions b3 … b11.
    let next = 3;
    const node1 = [0, 1, 2].map((e) =>
      cands.map((op) => {
        if (e === 0 && op === 'skip_connect') return s;
        if (e === 1 && op === 'avg_pool_3x3') return a;
        if (e === 2 && op === 'sep_conv_3x3') return sep;
        return b[next++]!;
      }),
    );
    // Node 0: random (correlated) combinations of b12 … b21, different in every cell, orthogonal to node 1.
    let r = seed * 100;
    const node0 = [0, 1].map(() =>
      cands.map(() => {
        const v = new Float64Array(dim);
        const coef = randomArray(10, r++);
        coef.forEach((c, i) => addScaled(v, c + 0.5, b[12 + i]!));
        return v;
      }),
    );
    const o = [node0, node1];
    const y = [0, 1].map((n) => {
      const yn = new Float64Array(dim);
      o[n]!.forEach((vs, e) => vs.forEach((v, j) => addScaled(yn, w((n * (n + 3)) / 2 + e, cands[j]!), v)));
      return yn;
    });
    return { y, o };
  }

  it('value keeps the redundant pair; decorrelation keeps one of them plus the orthogonal op', () => {
    const cells = [buildCell(1), buildCell(2), buildCell(3)];
    // sanity of the construction
    expect(cosine(cells[0]!.o[1]![0]![cands.indexOf('skip_connect')]!, cells[0]!.o[1]![1]![cands.indexOf('avg_pool_3x3')]!)).toBeCloseTo(0.99, 12);

    const value = valueDiscretize(weights, ops, 2);
    expect(value).toEqual(g(['skip_connect', 1], ['sep_conv_3x3', 0], ['skip_connect', 0], ['avg_pool_3x3', 1]));

    const dec = decorrelationDiscretize({ nodes: 2, k: 2, ops, grams: cells.map(gramOf) });
    checkStructure(dec, 2, 2);
    expect(dec.edges.slice(2)).toEqual(g(['skip_connect', 0], ['sep_conv_3x3', 2]));
    const ref = referenceDecorrelation(cells, ops, 2, 2, 'span');
    expect(dec.picks.map((p) => [p.node, p.input, p.op])).toEqual(ref.picks.map((p) => [p.node, p.input, p.op]));

    // Why: before any pick, avg_pool@1 looks as good as skip@0 (0.99 aligned) and far better than sep@2 …
    const avg = cands.indexOf('avg_pool_3x3');
    const skip = cands.indexOf('skip_connect');
    const sepJ = cands.indexOf('sep_conv_3x3');
    const t0 = dec.scoreTables[0]![1]!;
    expect(t0[1]![avg]!).toBeGreaterThan(0.85);
    expect(t0[0]![skip]! - t0[1]![avg]!).toBeGreaterThan(0); // α(skip) > α(avg) decides the first of the pair
    expect(t0[1]![avg]!).toBeGreaterThan(t0[2]![sepJ]! + 0.4);
    // … but once skip@0 is chosen and removed, avg_pool@1 explains almost nothing new, sep@2 a lot.
    const sSkip = dec.picks.find((p) => p.node === 1 && p.op === 'skip_connect')!.step;
    const t1 = dec.scoreTables[sSkip + 1]![1]!;
    expect(t1[0]!.every(Number.isNaN)).toBe(true); // input 0 used
    expect(t1[1]![avg]!).toBeLessThan(0.05);
    expect(t1[2]![sepJ]!).toBeGreaterThan(0.75);
    const sepPick = dec.picks.find((p) => p.node === 1 && p.op === 'sep_conv_3x3')!;
    expect(sepPick.perCell.every((x) => x > 0.75)).toBe(true);
    // Hand computation: residual = 0.55·0.141·b1 + 0.5·b2 + others (9 ops at 0.1 / 0.15): |r| = 0.609.
    const rNorm = Math.sqrt((0.55 * Math.sqrt(1 - 0.99 ** 2)) ** 2 + 0.25 + 7 * 0.01 + 2 * 0.0225);
    expect(sepPick.score).toBeCloseTo(0.5 / rNorm, 10);
    expect(t1[1]![avg]!).toBeCloseTo((0.55 * (1 - 0.99 ** 2)) / rNorm, 10);
  });

  it('the sequential projection reaches the same decision here (uncorrelated picks)', () => {
    const cells = [buildCell(4), buildCell(5)];
    const dec = decorrelationDiscretize({ nodes: 2, k: 2, ops, grams: cells.map(gramOf), projection: 'sequential' });
    expect(dec.edges.slice(2)).toEqual(g(['skip_connect', 0], ['sep_conv_3x3', 2]));
  });
});

describe('decorrelation constraints and degenerate cases', () => {
  it('never gives a node the same input twice, even when that edge holds the two best ops', () => {
    // One node, S3: skip@0 and sep@0 are orthogonal and each carries half of y; input 1 is weak.
    const dim = 8;
    const e = orthonormal(4, dim, 77);
    const o = [[[e[0]!, e[1]!], [e[2]!, e[3]!]]];
    const y = new Float64Array(dim);
    addScaled(y, 0.6, e[0]!);
    addScaled(y, 0.5, e[1]!);
    addScaled(y, 0.1, e[2]!);
    addScaled(y, 0.05, e[3]!);
    const dec = decorrelationDiscretize({ nodes: 1, k: 2, ops: S3, grams: [gramOf({ y: [y], o })] });
    expect(dec.edges).toEqual(g(['skip_connect', 0], ['skip_connect', 1]));
    // sep@0 would score highest at step 1 (0.5/|r| ≈ 0.98), but input 0 is no longer eligible.
    expect(dec.scoreTables[1]![0]![0]!.every(Number.isNaN)).toBe(true);
    expect(dec.picks[1]!.score).toBeCloseTo(0.1 / Math.sqrt(0.25 + 0.01 + 0.0025), 12);
  });

  it('ignores none entirely: it is not a candidate and never appears, with or without it in the space', () => {
    const { cells } = randomCells(S1, 4, 2, 48, 31);
    const dec = decorrelationDiscretize({ nodes: 4, k: 2, ops: S1, grams: cells.map(gramOf) });
    expect(dec.candidates).toEqual(S1.filter((op) => op !== 'none'));
    expect(dec.edges.some((e) => e.op === 'none')).toBe(false);
    // The same vectors under the same space without none: identical result.
    const noNone = decorrelationDiscretize({ nodes: 4, k: 2, ops: dec.candidates, grams: cells.map(gramOf) });
    expect(noNone.edges).toEqual(dec.edges);
  });

  it('every node gets exactly K distinct predecessors on many random spaces; deterministic', () => {
    for (let seed = 40; seed < 52; seed++) {
      const ops = [S1, S2, S3][seed % 3]!;
      const nodes = 1 + (seed % 5);
      const k = seed % 4 === 0 ? 1 : 2;
      const { cells } = randomCells(ops, nodes, 1 + (seed % 3), 24, seed);
      const grams = cells.map(gramOf);
      const a = decorrelationDiscretize({ nodes, k, ops, grams });
      checkStructure(a, nodes, k);
      const b = decorrelationDiscretize({ nodes, k, ops, grams: grams.map((x) => Float64Array.from(x)) });
      expect(b).toEqual(a);
      // The inputs were not modified.
      expect(grams).toEqual(cells.map(gramOf));
    }
  });

  it('all-zero Gram matrices: every cosine is 0 and ties go to the lowest (node, input, op)', () => {
    const nodes = 3;
    const V = decorrelationVectorCount(nodes, S3);
    const dec = decorrelationDiscretize({ nodes, k: 2, ops: S3, grams: [new Float64Array(V * V), new Float64Array(V * V)] });
    expect(dec.edges).toEqual(
      g(['skip_connect', 0], ['skip_connect', 1], ['skip_connect', 0], ['skip_connect', 1], ['skip_connect', 0], ['skip_connect', 1]),
    );
    expect(dec.picks.map((p) => [p.step, p.node, p.score])).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [2, 1, 0],
      [3, 1, 0],
      [4, 2, 0],
      [5, 2, 0],
    ]);
    expect(dec.opCorrelation[0]!.matrix.flat().every((x) => x === 0)).toBe(true);
  });

  it('a zero-norm op output scores exactly 0 and is not chosen while others score above 0', () => {
    const { cells } = randomCells(S2, 3, 2, 32, 61);
    const j = decorrelationCandidates(S2).indexOf('sep_conv_3x3');
    for (const c of cells) c.o[2]![3]![j]!.fill(0); // node 2, input 3 (node 1's output), sep_conv
    const dec = decorrelationDiscretize({ nodes: 3, k: 2, ops: S2, grams: cells.map(gramOf) });
    for (const t of dec.scoreTables) {
      const x = t[2]![3]![j]!;
      if (!Number.isNaN(x)) expect(x).toBe(0);
    }
    expect(dec.picks.some((p) => p.node === 2 && p.input === 3 && p.op === 'sep_conv_3x3')).toBe(false);
    const oc = dec.opCorrelation[2]!;
    const idx = oc.labels.indexOf('sep_conv_3x3@3');
    expect(oc.matrix[idx]!.every((x) => x === 0)).toBe(true);
  });

  for (const projection of ['span', 'sequential'] as const) {
    it(`${projection}: a node output fully explained by its first pick scores 0 everywhere afterwards (no rounding noise)`, () => {
      const { cells } = randomCells(S3, 2, 1, 16, 71);
      const cell = cells[0]!;
      cell.y[0] = scaled(cell.o[0]![0]![0]!, 2.7); // y0 is skip@0, up to scale
      const dec = decorrelationDiscretize({ nodes: 2, k: 2, ops: S3, grams: [gramOf(cell)], projection });
      expect(dec.picks[0]).toMatchObject({ node: 0, input: 0, op: 'skip_connect' });
      expect(dec.picks[0]!.score).toBeCloseTo(1, 12);
      // The residual of node 0 is zero (up to rounding): every later cosine of node 0 is exactly 0 …
      for (const t of dec.scoreTables.slice(1)) for (const x of t[0]![1]!) if (!Number.isNaN(x)) expect(x).toBe(0);
      // … so its second predecessor is the first candidate of the first free input.
      expect(dec.edges.slice(0, 2)).toEqual(g(['skip_connect', 0], ['skip_connect', 1]));
    });

    it(`${projection}: choosing an op already in the span of earlier picks changes no residual`, () => {
      // Node 0: y0 = skip@0 + 0.3·g; skip@1 = −3·skip@0 (in the span once skip@0 is picked, and not a
      // tie with it at step 0), sep@1 ≈ −y0 (negative).
      // Node 1: all candidates anti-correlated with y1, so node 0 finishes first and node 1's scores
      // can be compared before and after the in-span pick.
      const dim = 24;
      const rnd = (seed: number, sc = 1) => randomArray(dim, seed, sc);
      const skip0 = rnd(1);
      const sep0 = rnd(2);
      const y0 = Float64Array.from(skip0);
      addScaled(y0, 0.3, rnd(3));
      const sep1 = scaled(y0, -1);
      addScaled(sep1, 0.1, rnd(4));
      const common = rnd(5);
      const node1 = [0, 1, 2].map((e) =>
        [0, 1].map((j) => {
          const v = Float64Array.from(common);
          addScaled(v, 0.3, rnd(10 + e * 2 + j));
          return v;
        }),
      );
      const y1 = scaled(common, -1);
      addScaled(y1, 0.2, rnd(20));
      const cell: CellVectors = { y: [y0, y1], o: [[[skip0, sep0], [scaled(skip0, -3), sep1]], node1] };
      const dec = decorrelationDiscretize({ nodes: 2, k: 2, ops: S3, grams: [gramOf(cell)], projection });
      expect(dec.picks[0]).toMatchObject({ node: 0, input: 0, op: 'skip_connect' });
      expect(dec.picks[1]).toMatchObject({ node: 0, input: 1, op: 'skip_connect' });
      expect(Math.abs(dec.picks[1]!.score)).toBeLessThan(1e-12);
      // Node 1 scores are all clearly negative, and unchanged by the in-span pick.
      const before = dec.scoreTables[1]![1]!.flat();
      const after = dec.scoreTables[2]![1]!.flat();
      expect(before.every((x) => x < -0.3)).toBe(true);
      after.forEach((x, i) => expect(Math.abs(x - before[i]!)).toBeLessThan(1e-12));
    });
  }

  it('the span rule keeps residuals orthogonal to every pick; the sequential rule does not (correlated picks)', () => {
    // One node, k = 2, S3 with 2 inputs; picks: a = skip@0, then b = skip@1 with cos(a, b) = 0.6.
    // Candidate sep@1 is a copy of a: under 'span' its score after the two picks is 0; under
    // 'sequential' Eq. 6 on b re-introduces a component along a.
    const dim = 6;
    const e = orthonormal(4, dim, 5);
    const a = e[0]!;
    const b = scaled(e[0]!, 0.6);
    addScaled(b, 0.8, e[1]!);
    const y = new Float64Array(dim);
    addScaled(y, 1, a);
    addScaled(y, 0.9, b);
    addScaled(y, 0.2, e[2]!);
    // Two nodes so there is a step after node 0's two picks in which node 1 (copying node 0) still scores.
    const cell: CellVectors = {
      y: [y, Float64Array.from(y)],
      o: [
        [
          [a, e[3]!],
          [b, Float64Array.from(e[3]!)],
        ],
        [[scaled(a, -1), scaled(e[3]!, -1)], [scaled(b, -1), scaled(e[3]!, -1)], [a, scaled(e[2]!, -1)]],
      ],
    };
    const span = decorrelationDiscretize({ nodes: 2, k: 2, ops: S3, grams: [gramOf(cell)] });
    const seq = decorrelationDiscretize({ nodes: 2, k: 2, ops: S3, grams: [gramOf(cell)], projection: 'sequential' });
    for (const r of [span, seq]) {
      expect(r.picks.slice(0, 2).map((p) => [p.node, p.input, p.op])).toEqual([
        [0, 0, 'skip_connect'],
        [0, 1, 'skip_connect'],
      ]);
    }
    // Step 2: node 1, candidate a@2 (skip_connect on input 2 is a copy of a).
    const spanScore = span.scoreTables[2]![1]![2]![0]!;
    const seqScore = seq.scoreTables[2]![1]![2]![0]!;
    expect(Math.abs(spanScore)).toBeLessThan(1e-12);
    expect(Math.abs(seqScore)).toBeGreaterThan(0.1);
  });

  it('rejects malformed inputs clearly', () => {
    const V = decorrelationVectorCount(2, S3);
    const ok = new Float64Array(V * V);
    expect(() => decorrelationDiscretize({ nodes: 2, k: 2, ops: S3, grams: [] })).toThrow(/no Gram matrix/);
    expect(() => decorrelationDiscretize({ nodes: 2, k: 2, ops: S3, grams: [new Float64Array(V * V - 1)] })).toThrow(
      new RegExp(`has ${V * V - 1} entries, expected ${V}×${V}`),
    );
    const bad = Float64Array.from(ok);
    bad[5] = NaN;
    expect(() => decorrelationDiscretize({ nodes: 2, k: 2, ops: S3, grams: [ok, bad] })).toThrow(/Gram matrix 1 has a non-finite entry/);
    expect(() => decorrelationDiscretize({ nodes: 2, k: 3, ops: S3, grams: [ok] })).toThrow(/node 0 has only 2 inputs/);
    expect(() => decorrelationDiscretize({ nodes: 2, k: 2, ops: ['none'], grams: [ok] })).toThrow(/no operation besides 'none'/);
    expect(() =>
      decorrelationDiscretize({ nodes: 2, k: 2, ops: S3, grams: [ok], projection: 'bogus' as DecorrelationProjection }),
    ).toThrow(/unknown projection/);
  });
});
