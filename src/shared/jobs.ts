// Jobs as the app, the server and the CLI ask for them, and the events a running job streams back.
import { z } from 'zod';
import type { BackendInfoDto } from './backend-info';
import type { SearchEpochMetrics } from './metrics';

export const discretizeMethodSchema = z.enum(['value', 'decorrelation']);
export type DiscretizeMethodName = z.infer<typeof discretizeMethodSchema>;

/** What to run. Configs are validated again (with defaults) by the job runner before anything starts. */
export const jobSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('search'), name: z.string().max(120).optional(), config: z.record(z.string(), z.unknown()).default({}) }),
  z.object({
    kind: z.literal('discretize'),
    /** The search run whose checkpoint is discretized. */
    searchRunId: z.number().int().positive(),
    /** `last`, or the checkpoint written after this many epochs. */
    checkpoint: z.union([z.literal('last'), z.number().int().min(0)]).default('last'),
    method: discretizeMethodSchema.default('decorrelation'),
    images: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal('retrain'),
    name: z.string().max(120).optional(),
    /** DARTS text, JSON, or a published name (DARTS_V2 …). */
    genotype: z.string().min(1),
    config: z.record(z.string(), z.unknown()).default({}),
    parentId: z.number().int().positive().optional(),
  }),
  z.object({ kind: z.literal('evaluate'), retrainRunId: z.number().int().positive(), checkpoint: z.union([z.literal('last'), z.number().int().min(0)]).default('last') }),
]);
export type JobSpec = z.input<typeof jobSpecSchema>;
export type JobKind = JobSpec['kind'];

export interface JobProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  epochs: number;
  loss: number;
  elapsed: number;
  eta: number;
}

/** Events the job runner broadcasts (to the UI over IPC/WebSocket, to the CLI's progress line). */
export type JobEvent =
  | { type: 'status'; runId: number; status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted'; error?: string | null }
  | { type: 'backend'; runId: number; backend: BackendInfoDto; parameters?: number }
  | { type: 'progress'; runId: number; progress: JobProgress }
  | { type: 'epoch'; runId: number; epoch: number; metrics: SearchEpochMetrics | Record<string, unknown> }
  | { type: 'checkpoint'; runId: number; checkpointId: number; epoch: number; step: number }
  | { type: 'genotype'; runId: number; genotypeId: number; text: string }
  | { type: 'log'; runId: number; level: 'info' | 'warn' | 'error'; message: string };
