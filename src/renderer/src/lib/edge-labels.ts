// Names of a search cell's mixed edges in α-row order: node n takes states 0 … n+1 (c_{k-2}, c_{k-1}, 0, …).
import { edgeCount } from '../../../shared/search-space';
import { stateLabel } from './cell-graph';

/** Rows of α: for node 0 its 2 inputs, for node 1 its 3, … ("0 ← c_{k-2}"). */
export function edgeLabels(nodes: number): string[] {
  const out: string[] = [];
  for (let n = 0; n < nodes; n++) for (let s = 0; s < n + 2; s++) out.push(`${n} ← ${stateLabel(s)}`);
  return out;
}

/** Intermediate nodes of a cell with `edges` mixed edges (inverse of edgeCount); null if none fits. */
export function nodesForEdges(edges: number): number | null {
  for (let n = 1; n <= 16; n++) if (edgeCount(n) === edges) return n;
  return null;
}
