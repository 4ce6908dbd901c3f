// The genotype model: a discrete cell as (op, input) pairs, K per intermediate node.
import { z } from 'zod';
import { primitiveSchema, type Primitive } from './search-space';

/** One kept edge: the op and its input state (0, 1 = c_{k-2}, c_{k-1}; 2+i = intermediate node i). */
export interface GenotypeEdge {
  op: Primitive;
  input: number;
}

export interface Genotype {
  /** K pairs per node, in node order (the DARTS text format's flat list). */
  normal: GenotypeEdge[];
  normalConcat: number[];
  reduce: GenotypeEdge[];
  reduceConcat: number[];
}

export const genotypeEdgeSchema = z.object({ op: primitiveSchema, input: z.number().int().min(0) });

export const genotypeSchema = z.object({
  normal: z.array(genotypeEdgeSchema).min(1),
  normalConcat: z.array(z.number().int().min(2)).min(1),
  reduce: z.array(genotypeEdgeSchema).min(1),
  reduceConcat: z.array(z.number().int().min(2)).min(1),
});
