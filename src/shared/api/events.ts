// Events the service pushes to every renderer: job events as the runner streams them, and queue changes.
import { z } from 'zod';
import { backendInfoSchema } from '../backend-info';
import type { JobEvent } from '../jobs';
import { epochMetricsSchema, importTaskSchema, jobProgressSchema, queueSchema, runStatusSchema } from './dto';

const runId = z.number().int().positive();

export const jobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), runId, status: runStatusSchema, error: z.string().nullable().optional() }),
  z.object({ type: z.literal('backend'), runId, backend: backendInfoSchema, parameters: z.number().optional() }),
  z.object({ type: z.literal('progress'), runId, progress: jobProgressSchema }),
  z.object({ type: z.literal('epoch'), runId, epoch: z.number().int().min(0), metrics: epochMetricsSchema }),
  z.object({ type: z.literal('checkpoint'), runId, checkpointId: z.number().int().positive(), epoch: z.number().int().min(0), step: z.number().int().min(0) }),
  z.object({ type: z.literal('genotype'), runId, genotypeId: z.number().int().positive(), text: z.string() }),
  z.object({ type: z.literal('log'), runId, level: z.enum(['info', 'warn', 'error']), message: z.string() }),
]);
export type JobEventDto = z.infer<typeof jobEventSchema>;

/** Every event of the contract: name → payload schema. The proxy exposes each as `on<Name>(listener)`. */
export const apiEvents = {
  job: jobEventSchema,
  queue: queueSchema,
  /** A dataset import's progress, result or error. */
  import: importTaskSchema,
} as const;

export type ApiEvents = typeof apiEvents;
export type ApiEventName = keyof ApiEvents;
export type ApiEventPayload<E extends ApiEventName> = z.output<ApiEvents[E]>;

// The runner's JobEvent must fit the wire schema (a compile error here means the two drifted apart).
type Assignable<T, U extends T> = U;
export type JobEventFitsSchema = Assignable<z.input<typeof jobEventSchema>, JobEvent>;
