// The operation catalogue and search-space presets; the primitive order is the α column order.
import { z } from 'zod';

/** Every primitive the engine implements, in the reference DARTS order (`none` first). */
export const PRIMITIVES = [
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
] as const;

export type Primitive = (typeof PRIMITIVES)[number];

export const primitiveSchema = z.enum(PRIMITIVES);

export function isPrimitive(name: string): name is Primitive {
  return (PRIMITIVES as readonly string[]).includes(name);
}

/** The paper's three spaces (iDARTS §IV-C): S1 is DARTS', S2 and S3 are its robustness spaces. */
export const SPACE_PRESETS = {
  S1: [...PRIMITIVES],
  S2: ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3'],
  S3: ['none', 'skip_connect', 'sep_conv_3x3'],
} as const satisfies Record<string, readonly Primitive[]>;

export type SpacePresetName = keyof typeof SPACE_PRESETS;

/**
 * A search space: which ops sit on every mixed edge (kept in catalogue order, so α columns are
 * stable), how many intermediate nodes a cell has, and the supernet's depth and width.
 */
export const searchSpaceSchema = z
  .object({
    name: z.string().min(1).max(80).default('S1'),
    ops: z
      .array(primitiveSchema)
      .min(1, 'a search space needs at least one operation')
      .refine((ops) => new Set(ops).size === ops.length, 'an operation is listed twice')
      .refine((ops) => ops.some((op) => op !== 'none'), 'a search space needs at least one operation besides none')
      .transform((ops) => PRIMITIVES.filter((p) => ops.includes(p)))
      .default([...PRIMITIVES]),
    nodes: z.number().int().min(1, 'a cell needs at least one intermediate node').max(8).default(4),
    cells: z.number().int().min(1).max(32).default(8),
    channels: z.number().int().min(2).max(256).default(16),
  })
  .superRefine((s, ctx) => {
    if (s.channels % 2 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['channels'], message: 'channels must be even (FactorizedReduce halves them)' });
    }
  });

export type SearchSpace = z.output<typeof searchSpaceSchema>;
export type SearchSpaceInput = z.input<typeof searchSpaceSchema>;

export function presetSpace(name: SpacePresetName, overrides: Partial<Omit<SearchSpace, 'name' | 'ops'>> = {}): SearchSpace {
  return searchSpaceSchema.parse({ name, ops: [...SPACE_PRESETS[name]], ...overrides });
}

/** Indices of the reduction cells: L/3 and 2L/3, as the reference's `layers // 3`, `2 * layers // 3`. */
export function reductionIndices(cells: number): number[] {
  return [...new Set([Math.floor(cells / 3), Math.floor((2 * cells) / 3)])];
}

/** Number of mixed edges in a cell with `nodes` intermediate nodes: 2 + 3 + … + (nodes + 1). */
export function edgeCount(nodes: number): number {
  return (nodes * (nodes + 3)) / 2;
}

/** Edge index range of intermediate node n (0-based): its inputs are states 0 … n+1. */
export function nodeEdgeOffset(node: number): number {
  return (node * (node + 3)) / 2;
}
