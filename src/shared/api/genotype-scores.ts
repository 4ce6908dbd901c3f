// Reads the similarity scores a decorrelation discretization recorded with its genotype (tolerant of layout).
import { z } from 'zod';

export const decorrelationPickSchema = z.looseObject({
  node: z.number().int().min(0),
  input: z.number().int().min(0),
  op: z.string(),
  /** Mean cosine similarity over the cells when the edge was picked. */
  score: z.number().nullable(),
});

export const opCorrelationSchema = z.looseObject({
  node: z.number().int().min(0),
  labels: z.array(z.string()),
  matrix: z.array(z.array(z.number().nullable())),
});

export const cellScoresSchema = z.looseObject({
  picks: z.array(decorrelationPickSchema),
  opCorrelation: z.array(opCorrelationSchema).default([]),
});

export const decorrelationScoresSchema = z.looseObject({
  normal: cellScoresSchema.nullable(),
  reduce: cellScoresSchema.nullable().default(null),
});

export type DecorrelationPickDto = z.infer<typeof decorrelationPickSchema>;
export type OpCorrelationDto = z.infer<typeof opCorrelationSchema>;
export type CellScoresDto = z.infer<typeof cellScoresSchema>;
export type DecorrelationScoresDto = z.infer<typeof decorrelationScoresSchema>;

/** The decorrelation scores in a genotype's `scores`, whether stored bare or under `decorrelation`; null if none. */
export function readDecorrelationScores(scores: unknown): DecorrelationScoresDto | null {
  const candidates = [scores, (scores as { decorrelation?: unknown } | null)?.decorrelation];
  for (const c of candidates) {
    if (c === null || typeof c !== 'object') continue;
    const parsed = decorrelationScoresSchema.safeParse(c);
    if (parsed.success && (parsed.data.normal || parsed.data.reduce)) return parsed.data;
  }
  return null;
}

/** The score of the pick that chose edge (node, input, op), if recorded. */
export function pickScore(cell: CellScoresDto | null, node: number, input: number, op: string): number | null {
  const pick = cell?.picks.find((p) => p.node === node && p.input === input && p.op === op);
  return pick ? pick.score : null;
}
