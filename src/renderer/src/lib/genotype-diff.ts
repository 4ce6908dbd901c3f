// Which edges of compared genotypes differ: an edge (node, input, op) is the same only if every genotype has it.
import type { Genotype } from '../../../shared/genotype';
import type { CellType } from './cell-graph';

/** `node:input:op` of each kept edge of a cell, in the genotype's order (K edges per node). */
export function edgeKeys(g: Genotype, cell: CellType, k = 2): string[] {
  const edges = cell === 'normal' ? g.normal : g.reduce;
  return edges.map((e, i) => `${Math.floor(i / k)}:${e.input}:${e.op}`);
}

/**
 * For each genotype, the indices of its cell's edges that not every other genotype has at the same node
 * with the same input and op. One genotype alone has no differences.
 */
export function differingEdges(genotypes: readonly Genotype[], cell: CellType, k = 2): Set<number>[] {
  const keys = genotypes.map((g) => edgeKeys(g, cell, k));
  const sets = keys.map((ks) => new Set(ks));
  return keys.map((ks, gi) => new Set(ks.flatMap((key, i) => (sets.every((s, si) => si === gi || s.has(key)) ? [] : [i]))));
}

/** How many edges differ per genotype, normal and reduction together. */
export function differenceCounts(genotypes: readonly Genotype[], k = 2): number[] {
  const n = differingEdges(genotypes, 'normal', k);
  const r = differingEdges(genotypes, 'reduce', k);
  return genotypes.map((_, i) => n[i]!.size + r[i]!.size);
}
