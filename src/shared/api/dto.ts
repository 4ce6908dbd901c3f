// Data-transfer objects of the API contract as zod schemas: plain data mirrored from the store's DTOs.
import { z } from 'zod';
import { backendInfoSchema } from '../backend-info';
import { genotypeSchema } from '../genotype';
import { BACKENDS } from '../search-config';
import { primitiveSchema } from '../search-space';

export const RUN_KINDS = ['search', 'retrain', 'discretize', 'evaluate'] as const;
export const runKindSchema = z.enum(RUN_KINDS);
export type RunKindName = z.infer<typeof runKindSchema>;

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export const runStatusSchema = z.enum(RUN_STATUSES);
export type RunStatusName = z.infer<typeof runStatusSchema>;

/** Statuses from which a run may be resumed, and those in which it can be cancelled. */
export const RESUMABLE_STATUSES: readonly RunStatusName[] = ['interrupted', 'cancelled'];
export const CANCELLABLE_STATUSES: readonly RunStatusName[] = ['queued', 'running'];

const id = z.number().int().positive();
const iso = z.string();
/** A figure that JSON may have turned into null (NaN, ±Infinity) or that the run kind does not produce. */
const figure = z.number().nullable();
const perCell = <T extends z.ZodType>(t: T) => z.object({ normal: t, reduce: t });

export const usedBackendSchema = z.enum(BACKENDS.filter((b) => b !== 'auto') as [Exclude<(typeof BACKENDS)[number], 'auto'>, ...Exclude<(typeof BACKENDS)[number], 'auto'>[]]);
export const deviceKindSchema = z.enum(['gpu', 'cpu', 'software']);

export const runSummarySchema = z.object({
  id,
  kind: runKindSchema,
  name: z.string(),
  parentId: id.nullable(),
  dataset: z.string(),
  space: z.string().nullable(),
  seed: z.number().int(),
  epochsPlanned: z.number().int().nullable(),
  backendChoice: z.enum(BACKENDS),
  /** What the worker really computed on (null until it said). */
  backend: usedBackendSchema.nullable(),
  device: z.string().nullable(),
  deviceKind: deviceKindSchema.nullable(),
  status: runStatusSchema,
  error: z.string().nullable(),
  createdAt: iso,
  queuedAt: iso.nullable(),
  startedAt: iso.nullable(),
  finishedAt: iso.nullable(),
  folder: z.string().nullable(),
  codeVersion: z.string(),
  /** The validated config as recorded (a search's SearchConfig; other kinds their own). */
  config: z.record(z.string(), z.unknown()),
  /** Search runs: iDARTS node normalization on (true) or plain DARTS (false); null for other kinds. */
  nodeNormalization: z.boolean().nullable(),
  epochsDone: z.number().int().min(0),
  lastEpoch: z.number().int().nullable(),
  bestValAcc: figure,
  lastValAcc: figure,
  lastZeroRatio: perCell(figure),
  trainSeconds: z.number(),
  elapsedSeconds: z.number().nullable(),
});
export type RunSummaryDto = z.infer<typeof runSummarySchema>;

/** One search epoch as the engine emits it (see shared/metrics.ts); lenient on nulls, which JSON makes of NaN. */
export const searchEpochMetricsSchema = z.object({
  epoch: z.number().int().min(0),
  lr: figure,
  alphaFrozen: z.boolean(),
  trainLoss: figure,
  trainAcc: figure,
  valLoss: figure,
  valAcc: figure,
  zeroRatio: perCell(figure),
  alphaSoftmax: perCell(z.array(z.array(figure))),
  nodeNorms: perCell(z.array(figure).nullable()),
  steps: z.number(),
  images: z.number(),
  seconds: figure,
});
export type SearchEpochMetricsDto = z.infer<typeof searchEpochMetricsSchema>;

/** Any other kind's epoch (retrain, evaluate): an object, read by the views that know it. */
export const otherEpochMetricsSchema = z.record(z.string(), z.unknown());
export const epochMetricsSchema = z.union([searchEpochMetricsSchema, otherEpochMetricsSchema]);

export function isSearchEpochMetrics(m: unknown): m is SearchEpochMetricsDto {
  return searchEpochMetricsSchema.safeParse(m).success;
}

export const epochSchema = z.object({
  epoch: z.number().int().min(0),
  lr: figure,
  trainLoss: figure,
  trainAcc: figure,
  valLoss: figure,
  valAcc: figure,
  testLoss: figure,
  testAcc: figure,
  zeroRatio: perCell(figure),
  seconds: figure,
  metrics: epochMetricsSchema,
  recordedAt: iso,
});
export type EpochDto = z.infer<typeof epochSchema>;

export const checkpointSchema = z.object({
  id,
  runId: id,
  /** The epoch (0-based index) the checkpoint closes, or the one it stopped inside. */
  epoch: z.number().int().min(0),
  /** null: written at the end of `epoch` (after epoch + 1 completed epochs); otherwise the steps done inside it (a mid-epoch stop). */
  step: z.number().int().min(0).nullable(),
  path: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string(),
  valid: z.boolean(),
  invalidReason: z.string().nullable(),
  checkedAt: iso.nullable(),
  createdAt: iso,
});
export type CheckpointDto = z.infer<typeof checkpointSchema>;

/** Completed epochs a checkpoint holds, the number a discretize job names it by; null for a mid-epoch stop. */
export function completedEpochs(c: Pick<CheckpointDto, 'epoch' | 'step'>): number | null {
  return c.step === null ? c.epoch + 1 : null;
}

export const genotypeMethodSchema = z.enum(['value', 'decorrelation', 'imported']);

export const storedGenotypeSchema = z.object({
  id,
  runId: id.nullable(),
  checkpointId: id.nullable(),
  method: genotypeMethodSchema,
  name: z.string().nullable(),
  /** DARTS text format. */
  text: z.string(),
  genotype: genotypeSchema,
  /** Method-specific scores as recorded (decorrelation: picks and op-correlation matrices; see genotype-scores.ts). */
  scores: z.unknown(),
  params: z.number().int().nullable(),
  madds: z.number().int().nullable(),
  createdAt: iso,
});
export type StoredGenotypeDto = z.infer<typeof storedGenotypeSchema>;

export const runDetailSchema = z.object({
  run: runSummarySchema,
  epochs: z.array(epochSchema),
  checkpoints: z.array(checkpointSchema),
  genotypes: z.array(storedGenotypeSchema),
  /** Runs derived from this one: its discretize jobs, retrains … */
  children: z.array(runSummarySchema),
});
export type RunDetailDto = z.infer<typeof runDetailSchema>;

export const datasetSchema = z.object({
  name: z.string(),
  format: z.string(),
  /** [height, width, channels]. */
  shape: z.tuple([z.number().int(), z.number().int(), z.number().int()]).nullable(),
  classes: z.array(z.string()),
  trainImages: z.number().int().min(0).nullable(),
  testImages: z.number().int().min(0).nullable(),
  bytes: z.number().int().min(0).nullable(),
  /** false: not cached yet (the demo dataset is generated on first use). */
  cached: z.boolean(),
  createdAt: iso.nullable(),
});
export type DatasetDto = z.infer<typeof datasetSchema>;

export const spaceSchema = z.object({
  name: z.string(),
  ops: z.array(primitiveSchema),
  nodes: z.number().int().min(1),
  cells: z.number().int().min(1),
  channels: z.number().int().min(1),
  builtin: z.boolean(),
});
export type SpaceDto = z.infer<typeof spaceSchema>;

export const jobProgressSchema = z.object({
  epoch: z.number().int().min(0),
  step: z.number().int().min(0),
  stepsPerEpoch: z.number().int().min(0),
  epochs: z.number().int().min(0),
  loss: figure,
  elapsed: z.number(),
  eta: figure,
});
export type JobProgressDto = z.infer<typeof jobProgressSchema>;

export const queueEntrySchema = z.object({
  runId: id,
  kind: runKindSchema,
  name: z.string(),
  status: runStatusSchema,
  /** The search run a discretize job works on, etc. */
  parentId: id.nullable(),
  progress: jobProgressSchema.nullable(),
});
export type QueueEntryDto = z.infer<typeof queueEntrySchema>;

export const queueSchema = z.object({
  maxConcurrent: z.number().int().min(1),
  running: z.array(queueEntrySchema),
  queued: z.array(queueEntrySchema),
});
export type QueueDto = z.infer<typeof queueSchema>;

/** The compute backend and device really in use: a running job's, else the newest run's that recorded one. */
export const computeSchema = backendInfoSchema.extend({
  runId: id.nullable(),
  /** `running`: a job reports it now; `last-run`: what the most recent run used. */
  source: z.enum(['running', 'last-run']),
});
export type ComputeDto = z.infer<typeof computeSchema>;

export const systemInfoSchema = z.object({
  app: z.object({ name: z.string(), version: z.string() }),
  /** How this renderer reaches the service. */
  mode: z.enum(['electron', 'browser']),
  home: z.string(),
  platform: z.string(),
  compute: computeSchema.nullable(),
  queue: queueSchema,
});
export type SystemInfoDto = z.infer<typeof systemInfoSchema>;
