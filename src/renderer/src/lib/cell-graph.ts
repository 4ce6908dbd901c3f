// A genotype's cell as graph elements: inputs c_{k-2}, c_{k-1}, intermediate nodes, output c_k; edges by op.
import type { Genotype } from '../../../shared/genotype';
import { pickScore, type CellScoresDto } from '../../../shared/api/genotype-scores';
import { opColor } from './op-colors';

export type CellType = 'normal' | 'reduce';

export interface CellNode {
  id: string;
  label: string;
  role: 'input' | 'intermediate' | 'output';
}

export interface CellEdge {
  id: string;
  source: string;
  target: string;
  /** The operation, or '' for the concatenation into c_k. */
  op: string;
  label: string;
  color: string;
  /** Decorrelation similarity of this pick, if recorded. */
  score: number | null;
  /** Not in every compared genotype (Compare view); drawn marked. */
  diff: boolean;
}

export interface CellGraph {
  nodes: CellNode[];
  edges: CellEdge[];
}

export const INPUT_LABELS = ['c_{k-2}', 'c_{k-1}'] as const;

export function stateId(state: number): string {
  return state < 2 ? `in${state}` : `n${state - 2}`;
}

export function stateLabel(state: number): string {
  return state < 2 ? INPUT_LABELS[state]! : String(state - 2);
}

/** Intermediate nodes of a cell: one per K=2 pairs, as many as the genotype lists (and at least its concat). */
export function nodeCount(g: Genotype, cell: CellType, k = 2): number {
  const edges = cell === 'normal' ? g.normal : g.reduce;
  const concat = cell === 'normal' ? g.normalConcat : g.reduceConcat;
  return Math.max(Math.ceil(edges.length / k), ...concat.map((c) => c - 1));
}

/** `diff`: indices of edges to mark as differing from the genotypes compared with this one. */
export function cellGraph(g: Genotype, cell: CellType, scores: CellScoresDto | null = null, k = 2, diff: ReadonlySet<number> = new Set()): CellGraph {
  const edges = cell === 'normal' ? g.normal : g.reduce;
  const concat = cell === 'normal' ? g.normalConcat : g.reduceConcat;
  const n = nodeCount(g, cell, k);
  const nodes: CellNode[] = [
    { id: 'in0', label: INPUT_LABELS[0], role: 'input' },
    { id: 'in1', label: INPUT_LABELS[1], role: 'input' },
    ...Array.from({ length: n }, (_, i): CellNode => ({ id: `n${i}`, label: String(i), role: 'intermediate' })),
    { id: 'out', label: 'c_{k}', role: 'output' },
  ];
  const out: CellEdge[] = edges.map((e, i) => {
    const node = Math.floor(i / k);
    const score = pickScore(scores, node, e.input, e.op);
    return {
      id: `e${i}`,
      source: stateId(e.input),
      target: `n${node}`,
      op: e.op,
      label: diff.has(i) ? `≠ ${e.op}` : e.op,
      color: opColor(e.op),
      score,
      diff: diff.has(i),
    };
  });
  for (const c of concat) {
    out.push({ id: `cat${c}`, source: stateId(c), target: 'out', op: '', label: '', color: '#b0b0b0', score: null, diff: false });
  }
  return { nodes, edges: out };
}

/** cytoscape's element list. */
export function cytoscapeElements(graph: CellGraph) {
  return [
    ...graph.nodes.map((nd) => ({ group: 'nodes' as const, data: { id: nd.id, label: nd.label, role: nd.role } })),
    ...graph.edges.map((e) => ({
      group: 'edges' as const,
      data: { id: e.id, source: e.source, target: e.target, op: e.op, label: e.label, color: e.color, score: e.score, diff: e.diff },
    })),
  ];
}
