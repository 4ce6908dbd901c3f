// Value-based discretization: the reference DARTS rule (`Network.genotype()._parse`), as a pure function.
//
// For every intermediate node n, rank its incoming edges (inputs 0 … n+1) by the largest weight over
// the non-`none` ops, keep the top k, and on each keep the arg-max non-`none` op. The reference sorts
// with Python's stable `sorted(key=-max(...))`, so on equal strengths the lower input comes first, and
// its op loop replaces the best only on a strictly larger weight, so the first op (catalogue order)
// wins ties. Pairs are appended in ranked order, node by node.
import type { GenotypeEdge } from '../../../shared/genotype';
import { edgeCount, nodeEdgeOffset, type Primitive } from '../../../shared/search-space';

/** Checks shared by both discretization rules: node/k counts and the op list. */
export function checkCellShape(ops: readonly Primitive[], nodes: number, k: number): void {
  if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`discretize: nodes must be a positive integer (got ${nodes})`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`discretize: k must be a positive integer (got ${k})`);
  if (k > 2) {
    throw new Error(`discretize: k = ${k} predecessors per node is impossible: node 0 has only 2 inputs (c_{k-2}, c_{k-1})`);
  }
  if (new Set(ops).size !== ops.length) throw new Error('discretize: an operation is listed twice in the search space');
  if (!ops.some((op) => op !== 'none')) {
    throw new Error("discretize: the search space has no operation besides 'none', so no edge can be kept");
  }
}

/**
 * The reference DARTS discretization.
 * @param weights softmax(α) per edge, `[edge][op]`, edges numbered node by node (`nodeEdgeOffset(n) + input`),
 *   op columns in the order of `ops`.
 * @param ops the search space's op list (may include 'none', which is never kept).
 * @returns k `{ op, input }` pairs per node, in node order.
 */
export function valueDiscretize(weights: number[][], ops: readonly Primitive[], nodes: number, k = 2): GenotypeEdge[] {
  checkCellShape(ops, nodes, k);
  const edges = edgeCount(nodes);
  if (weights.length !== edges) {
    throw new Error(`valueDiscretize: expected ${edges} edge rows for ${nodes} nodes, got ${weights.length}`);
  }
  weights.forEach((row, e) => {
    if (row.length !== ops.length) {
      throw new Error(`valueDiscretize: edge ${e} has ${row.length} weights but the space has ${ops.length} ops`);
    }
    row.forEach((w, j) => {
      if (!Number.isFinite(w)) throw new Error(`valueDiscretize: weight [${e}][${j}] is not a finite number (${w})`);
    });
  });
  const real = ops.flatMap((op, j) => (op === 'none' ? [] : [j]));

  const gene: GenotypeEdge[] = [];
  for (let n = 0; n < nodes; n++) {
    const start = nodeEdgeOffset(n);
    const inputs = n + 2;
    // Strength of an edge: its largest non-`none` weight; the best op: first strict maximum.
    const best = Array.from({ length: inputs }, (_, input) => {
      const row = weights[start + input]!;
      let j = real[0]!;
      for (const c of real) if (row[c]! > row[j]!) j = c;
      return { input, op: ops[j]!, strength: row[j]! };
    });
    // Array.prototype.sort is stable (ES2019), matching Python's sorted(): ties keep the lower input.
    const ranked = [...best].sort((a, b) => b.strength - a.strength);
    for (const { op, input } of ranked.slice(0, k)) gene.push({ op, input });
  }
  return gene;
}
