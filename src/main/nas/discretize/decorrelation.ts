// Decorrelation discretization (iDARTS Algorithm 1) as a pure function over inner products.
//
// ── How the paper is read here, and why ────────────────────────────────────────────────────────────
// §III-B (Eq. 4–5): after discretization a node's output should stay as close as possible to the
// supernet's; with every op output normalized (static BN), that distance depends only on the angle
// between the kept op output and the mixed output, and that angle is not monotone in α as soon as op
// outputs are correlated. So ops are chosen by cosine similarity with the node output, not by α.
// §III-C and Algorithm 1: greedily, N×K times,
//   1. for every cell c of this type and every node n, take the node output y_c^(n) (Eq. 2: the plain
//      sum of the mixed edges, before any node normalization — normalization only rescales it, and
//      cosines do not see scale) and orthogonalize it against the ops selected so far (line 6);
//   2. compute the cosine between that residual and every candidate op output o_{n,e,j} (line 7);
//   3. average the cosines over the cells of this type (line 10: α is shared by those cells, so the
//      decision must be too) and select the best candidate (line 11).
// Choices where the paper is silent or ambiguous, and why:
//   • One pick per step, global over nodes: the loop runs exactly N×K times and each iteration adds one
//     operator to S, so a step picks the best (node, edge, op) among nodes that still need
//     predecessors. Within a node an edge is used at most once (a discrete node has K *distinct*
//     predecessors, as in the DARTS genotype), so the other ops of a used edge drop out for that node.
//   • Cosine, not Eq. 6's "projection length" ⟨o, y⟩/|o|: Algorithm 1 (line 7) and the product spec say
//     cosine. For one node in one cell the two rank candidates identically (they differ by the factor
//     1/|r_n|); across nodes and cells cosine is scale-free, so a node with a large norm (fed by
//     un-normalized skip-connects, Fig. 3b) does not dominate the picks — the very imbalance iDARTS
//     fights. The cosine is signed: an op anti-correlated with the residual is not "similar".
//   • Cell-level decorrelation (the paragraph after Eq. 6): the chosen op's component is removed from
//     the residual of *every* node of the cell, not only the node it belongs to, because the cell
//     output concatenates all nodes and information already carried by a kept op is redundant anywhere.
//   • Sequential projection vs. span (the paper has both readings: Eq. 6 projects the *current*
//     residual on the raw op vector; Algorithm 1 line 6 orthogonalizes y "by all selected operators").
//     Default 'span': keep an orthonormal basis of the chosen op outputs (Gram–Schmidt, in coefficient
//     space through the Gram matrix, with one re-orthogonalization pass), so every residual is
//     y minus its orthogonal projection on span(S) — orthogonal to every chosen op, which is what
//     line 6 says and what "the remainder is orthogonal to the selected operation" (after Eq. 6) should
//     keep true after later steps. Sequential Eq. 6 with raw vectors re-introduces components of earlier
//     picks whenever picks are correlated, i.e. exactly in the case the method is for. The span update
//     is Eq. 6 applied with the chosen op's component orthogonal to the earlier picks (which equals
//     Eq. 6 with the raw vector when picks are uncorrelated). 'sequential' is offered for comparison.
//   • Degenerate cases, deterministic: a (numerically) zero-norm op output or residual has cosine 0; a
//     chosen op already in the span of earlier picks changes nothing; ties go to the lowest
//     (node, input, op) in catalogue order (strictly-greater comparison in that iteration order).
//
// The tensor side only accumulates, per cell, the Gram matrix of the vectors listed by
// `decorrelationVectorIndex` over the discretization set; all vectors here are coefficient vectors over
// those V vectors, and inner products go through the (symmetrized) Gram matrix, so memory is O(V²).
import type { GenotypeEdge } from '../../../shared/genotype';
import { edgeCount, nodeEdgeOffset, type Primitive } from '../../../shared/search-space';
import { checkCellShape } from './value';

export type DecorrelationProjection = 'span' | 'sequential';

export interface DecorrelationInput {
  nodes: number;
  k: number;
  /** The search space's op list; candidates are the ops without 'none' (its output is zero). */
  ops: readonly Primitive[];
  /** One Gram matrix per cell of this type (row-major V×V, float64), over the vectors in this order:
   *  y_0 … y_{N-1} (node outputs: the sum of mixed edges, before any node normalization), then for
   *  n = 0 … N-1, for input e = 0 … n+1, for each candidate op j: o_{n,e,j} (that op's output on that edge). */
  grams: Float64Array[];
  /** How a pick is removed from the residuals: 'span' (default) or Eq. 6 'sequential'. See the header. */
  projection?: DecorrelationProjection;
}

export interface DecorrelationPick {
  step: number;
  node: number;
  input: number;
  op: Primitive;
  /** Mean cosine over the cells. */
  score: number;
  /** Cosine in each cell, in `grams` order. */
  perCell: number[];
}

export interface DecorrelationResult {
  /** K per node, node order (within a node, in pick order). */
  edges: GenotypeEdge[];
  picks: DecorrelationPick[];
  /** For each step, the mean-cosine table of every candidate at that moment: [node][input][op] with op
   *  indexing `candidates` (NaN where not eligible: node already complete, or input already used). */
  scoreTables: number[][][][];
  /** Per node: mean (over cells) cosine-similarity matrix between all its candidate op outputs (the paper's
   *  Fig. 3c), with labels `${op}@${input}`, in vector order (input, then op). */
  opCorrelation: { node: number; labels: string[]; matrix: number[][] }[];
  /** The candidate ops (`ops` without 'none'): the last axis of `scoreTables`. */
  candidates: Primitive[];
  projection: DecorrelationProjection;
}

/** A vector of the layout: node output y_n, or op output o_{n,input,op}. */
export type DecorrelationVector = { node: number } | { node: number; input: number; op: Primitive };

/** The candidate ops of a space: its ops without 'none', in the given order. */
export function decorrelationCandidates(ops: readonly Primitive[]): Primitive[] {
  return ops.filter((op) => op !== 'none');
}

/** V, the side of each Gram matrix: N node outputs plus one vector per (edge, candidate op). */
export function decorrelationVectorCount(nodes: number, ops: readonly Primitive[]): number {
  return nodes + edgeCount(nodes) * decorrelationCandidates(ops).length;
}

/**
 * Index of a vector in the Gram layout: `{ node }` → y_node (index node); `{ node, input, op }` →
 * o_{node,input,op} (index N + (nodeEdgeOffset(node) + input)·M + j, j the op's position among the M
 * candidates).
 */
export function decorrelationVectorIndex(nodes: number, ops: readonly Primitive[], v: DecorrelationVector): number {
  if (!Number.isInteger(v.node) || v.node < 0 || v.node >= nodes) {
    throw new Error(`decorrelationVectorIndex: node ${v.node} is outside 0 … ${nodes - 1}`);
  }
  if (!('input' in v)) return v.node;
  if (!Number.isInteger(v.input) || v.input < 0 || v.input > v.node + 1) {
    throw new Error(`decorrelationVectorIndex: node ${v.node} has inputs 0 … ${v.node + 1}, not ${v.input}`);
  }
  const candidates = decorrelationCandidates(ops);
  const j = candidates.indexOf(v.op);
  if (j < 0) throw new Error(`decorrelationVectorIndex: '${v.op}' is not a candidate op of this space`);
  return nodes + (nodeEdgeOffset(v.node) + v.input) * candidates.length + j;
}

/** Relative tolerances (on squared norms) below which a vector counts as zero. */
const ZERO_OP = 1e-24; // an op output, relative to the largest squared norm in the cell
const ZERO_RESIDUAL = 1e-12; // a residual, relative to its node output (cancellation noise is ~1e-16)
const IN_SPAN = 1e-12; // a chosen op's part outside span(S), relative to the op itself

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** a -= c·b */
function axpy(a: Float64Array, c: number, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i]! -= c * b[i]!;
}

function clampCos(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

/** One cell's state: its Gram matrix, the orthonormal basis of picks, each node's residual. */
class CellState {
  readonly g: Float64Array;
  readonly scale: number;
  /** Orthonormal basis of the picks (span mode): coefficients q and G·q. */
  readonly basis: { coef: Float64Array; gCoef: Float64Array }[] = [];
  /** Residual r_n as coefficients, and G·r_n (so ⟨r_n, v_i⟩ = resG[n][i]). */
  readonly res: Float64Array[];
  readonly resG: Float64Array[];
  readonly yNorm2: number[];

  constructor(
    raw: Float64Array,
    readonly size: number,
    nodes: number,
  ) {
    const g = new Float64Array(size * size);
    let scale = 0;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) g[i * size + j] = (raw[i * size + j]! + raw[j * size + i]!) / 2;
      scale = Math.max(scale, g[i * size + i]!);
    }
    this.g = g;
    this.scale = scale;
    this.res = [];
    this.resG = [];
    this.yNorm2 = [];
    for (let n = 0; n < nodes; n++) {
      const r = new Float64Array(size);
      r[n] = 1;
      this.res.push(r);
      this.resG.push(this.row(n));
      this.yNorm2.push(g[n * size + n]!);
    }
  }

  row(i: number): Float64Array {
    return this.g.slice(i * this.size, (i + 1) * this.size);
  }

  norm2(i: number): number {
    return this.g[i * this.size + i]!;
  }

  isZeroOp(i: number): boolean {
    return !(this.norm2(i) > ZERO_OP * this.scale);
  }

  /** |r_n|², or 0 when the residual is numerically gone (or y_n itself is zero). */
  residualNorm2(n: number): number {
    const y2 = this.yNorm2[n]!;
    if (!(y2 > ZERO_OP * this.scale)) return 0;
    const r2 = dot(this.res[n]!, this.resG[n]!);
    return r2 > ZERO_RESIDUAL * y2 ? r2 : 0;
  }

  /** Cosine between node n's residual (squared norm r2) and vector p; 0 if either is zero. */
  cosine(n: number, r2: number, p: number): number {
    if (r2 === 0 || this.isZeroOp(p)) return 0;
    return clampCos(this.resG[n]![p]! / Math.sqrt(r2 * this.norm2(p)));
  }

  cosineBetween(a: number, b: number): number {
    if (this.isZeroOp(a) || this.isZeroOp(b)) return 0;
    if (a === b) return 1;
    return clampCos(this.g[a * this.size + b]! / Math.sqrt(this.norm2(a) * this.norm2(b)));
  }

  /** Remove vector p from every residual: orthogonal to span(picks) ('span') or Eq. 6 on p ('sequential'). */
  remove(p: number, projection: DecorrelationProjection): void {
    if (this.isZeroOp(p)) return;
    if (projection === 'sequential') {
      const o2 = this.norm2(p);
      const gp = this.row(p);
      for (let n = 0; n < this.res.length; n++) {
        const c = this.resG[n]![p]! / o2;
        this.res[n]![p]! -= c;
        axpy(this.resG[n]!, c, gp);
      }
      return;
    }
    const u = new Float64Array(this.size);
    u[p] = 1;
    const uG = this.row(p);
    // Classical Gram–Schmidt twice ("twice is enough"): u ⟂ every basis vector to working precision.
    for (let pass = 0; pass < 2; pass++) {
      for (const q of this.basis) {
        const c = dot(q.coef, uG);
        axpy(u, c, q.coef);
        axpy(uG, c, q.gCoef);
      }
    }
    const n2 = dot(u, uG);
    if (!(n2 > IN_SPAN * this.norm2(p))) return; // already in span(S): nothing new to remove
    const inv = 1 / Math.sqrt(n2);
    for (let i = 0; i < this.size; i++) {
      u[i]! *= inv;
      uG[i]! *= inv;
    }
    this.basis.push({ coef: u, gCoef: uG });
    for (let n = 0; n < this.res.length; n++) {
      const c = dot(u, this.resG[n]!);
      axpy(this.res[n]!, c, u);
      axpy(this.resG[n]!, c, uG);
    }
  }
}

/** iDARTS Algorithm 1 on per-cell Gram matrices. See the header for the reading of the paper. */
export function decorrelationDiscretize(input: DecorrelationInput): DecorrelationResult {
  const { nodes, k, ops, grams } = input;
  const projection = input.projection ?? 'span';
  checkCellShape(ops, nodes, k);
  if (projection !== 'span' && projection !== 'sequential') {
    throw new Error(`decorrelationDiscretize: unknown projection '${String(projection)}'`);
  }
  if (grams.length === 0) throw new Error('decorrelationDiscretize: no Gram matrix (need one per cell of this type)');
  const candidates = decorrelationCandidates(ops);
  const m = candidates.length;
  const size = decorrelationVectorCount(nodes, ops);
  grams.forEach((gram, c) => {
    if (gram.length !== size * size) {
      throw new Error(`decorrelationDiscretize: Gram matrix ${c} has ${gram.length} entries, expected ${size}×${size} = ${size * size}`);
    }
    for (let i = 0; i < gram.length; i++) {
      if (!Number.isFinite(gram[i]!)) throw new Error(`decorrelationDiscretize: Gram matrix ${c} has a non-finite entry at ${i}`);
    }
  });
  const cells = grams.map((gram) => new CellState(gram, size, nodes));
  const opIndex = (n: number, e: number, j: number) => nodes + (nodeEdgeOffset(n) + e) * m + j;

  // Fig. 3c: correlations between the candidate op outputs of each node, before any pick.
  const opCorrelation = Array.from({ length: nodes }, (_, n) => {
    const vecs: number[] = [];
    const labels: string[] = [];
    for (let e = 0; e < n + 2; e++) {
      for (let j = 0; j < m; j++) {
        vecs.push(opIndex(n, e, j));
        labels.push(`${candidates[j]!}@${e}`);
      }
    }
    const matrix = vecs.map((a) => vecs.map((b) => cells.reduce((s, cell) => s + cell.cosineBetween(a, b), 0) / cells.length));
    return { node: n, labels, matrix };
  });

  const used: number[][] = Array.from({ length: nodes }, () => []);
  const picks: DecorrelationPick[] = [];
  const scoreTables: number[][][][] = [];
  for (let step = 0; step < nodes * k; step++) {
    const table = Array.from({ length: nodes }, (_, n) => Array.from({ length: n + 2 }, () => new Array<number>(m).fill(NaN)));
    let best: DecorrelationPick | undefined;
    let bestIndex = -1;
    for (let n = 0; n < nodes; n++) {
      if (used[n]!.length >= k) continue;
      const r2 = cells.map((cell) => cell.residualNorm2(n));
      for (let e = 0; e < n + 2; e++) {
        if (used[n]!.includes(e)) continue;
        for (let j = 0; j < m; j++) {
          const p = opIndex(n, e, j);
          const perCell = cells.map((cell, c) => cell.cosine(n, r2[c]!, p));
          const score = perCell.reduce((s, x) => s + x, 0) / cells.length;
          table[n]![e]![j] = score;
          if (best === undefined || score > best.score) {
            best = { step, node: n, input: e, op: candidates[j]!, score, perCell };
            bestIndex = p;
          }
        }
      }
    }
    // Every incomplete node has ≥ 1 unused input (k ≤ 2 ≤ inputs), so a candidate always exists.
    if (best === undefined) throw new Error('decorrelationDiscretize: internal error, no eligible candidate');
    picks.push(best);
    scoreTables.push(table);
    used[best.node]!.push(best.input);
    for (const cell of cells) cell.remove(bestIndex, projection);
  }

  const edges: GenotypeEdge[] = [];
  for (let n = 0; n < nodes; n++) {
    for (const p of picks) if (p.node === n) edges.push({ op: p.op, input: p.input });
  }
  return { edges, picks, scoreTables, opCorrelation, candidates, projection };
}
