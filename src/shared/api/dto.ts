// Data-transfer objects of the API contract as zod schemas: plain data mirrored from the store's DTOs.
import { z } from 'zod';
import { backendInfoSchema } from '../backend-info';
import { genotypeSchema } from '../genotype';
import { BACKENDS } from '../search-config';
import { primitiveSchema, searchSpaceSchema } from '../search-space';

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

/** A finished retrain's final test figures (the store's retrain_results). Errors and accuracies are fractions. */
export const retrainResultSchema = z.object({
  runId: id,
  genotypeId: id,
  top1Error: z.number(),
  top5Error: figure,
  /** Test accuracy per class, in the dataset's class order. */
  perClassAccuracy: z.array(figure),
  /** Counts, rows = true class, columns = predicted class. */
  confusion: z.array(z.array(z.number())).nullable(),
  params: z.number().int().nullable(),
  madds: z.number().int().nullable(),
  createdAt: iso,
});
export type RetrainResultDto = z.infer<typeof retrainResultSchema>;

/** A retrain's latest test evaluation as its folder's evaluation.json holds it (updated after every epoch). */
export const evaluationSchema = z.looseObject({
  epoch: z.number().int().min(0),
  classNames: z.array(z.string()).default([]),
  images: z.number().int().min(0).optional(),
  loss: figure.optional(),
  top1Error: figure,
  top5Error: figure,
  perClassAccuracy: z.array(figure),
  confusion: z.array(z.array(z.number())),
});
export type EvaluationDto = z.infer<typeof evaluationSchema>;

/** Parameters and multiply-adds of a network at an input size (auxiliary head apart), as the DARTS code counts them. */
export const networkCountsSchema = z.object({
  parameters: z.number().int().min(0),
  /** The same with the auxiliary head (= parameters when there is none). */
  parametersWithAuxiliary: z.number().int().min(0),
  /** One image, one forward pass, auxiliary head excluded. */
  multiplyAdds: z.number().int().min(0),
  /** [height, width, channels] the counts are for. */
  inputShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  numClasses: z.number().int().min(1),
});
export type NetworkCountsDto = z.infer<typeof networkCountsSchema>;

export const runDetailSchema = z.object({
  run: runSummarySchema,
  epochs: z.array(epochSchema),
  checkpoints: z.array(checkpointSchema),
  genotypes: z.array(storedGenotypeSchema),
  /** Runs derived from this one: its discretize jobs, retrains … */
  children: z.array(runSummarySchema),
  /** Retrain runs: the final figures once finished. */
  result: retrainResultSchema.nullable().default(null),
  /** Retrain runs: the latest test evaluation (per-class accuracy, confusion matrix), live while it trains. */
  evaluation: evaluationSchema.nullable().default(null),
  /** Retrain runs: the built network's counts (network.json). */
  network: networkCountsSchema.nullable().default(null),
});
export type RunDetailDto = z.infer<typeof runDetailSchema>;

/** A stored genotype with the run it belongs to, for pickers. */
export const genotypeEntrySchema = storedGenotypeSchema.extend({
  runName: z.string().nullable(),
});
export type GenotypeEntryDto = z.infer<typeof genotypeEntrySchema>;

/** One epoch's scalars, what overlaid curves need (no α). Retrain runs: test accuracy is 1 − top-1 error. */
export const epochScalarsSchema = z.object({
  epoch: z.number().int().min(0),
  trainLoss: figure,
  trainAcc: figure,
  valLoss: figure,
  valAcc: figure,
  testLoss: figure,
  testAcc: figure,
  zeroRatio: perCell(figure),
  seconds: figure,
});
export type EpochScalarsDto = z.infer<typeof epochScalarsSchema>;

/** One run as the Compare view shows it: curves, the genotype, and the figures of the metrics table. */
export const compareEntrySchema = z.object({
  run: runSummarySchema,
  epochs: z.array(epochScalarsSchema),
  /** A search's newest genotype, or the genotype a retrain trained. */
  genotype: storedGenotypeSchema.nullable(),
  figures: z.object({
    /** Which accuracy `best` and `final` are: a search's validation (α half) or a retrain's test accuracy. */
    accuracy: z.enum(['val', 'test']),
    best: figure,
    final: figure,
    /** The final network: a retrain's own, or a search genotype's at the retrain recipe's size. */
    network: networkCountsSchema.nullable(),
    /** How `network` was sized, in words (cells × channels at the input size). */
    networkNote: z.string().nullable(),
    /** A search's supernet. */
    supernet: networkCountsSchema.nullable(),
    /** Training seconds recorded, and wall time from start to finish. */
    trainSeconds: z.number(),
    elapsedSeconds: z.number().nullable(),
  }),
});
export type CompareEntryDto = z.infer<typeof compareEntrySchema>;

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

/** A run that may still read a dataset (queued, running, or resumable): deleting the dataset is refused meanwhile. */
export const datasetUserSchema = z.object({ runId: id, name: z.string(), kind: runKindSchema, status: runStatusSchema });

export const datasetDetailSchema = datasetSchema.extend({
  /** Where it was imported from. */
  source: z.string().nullable(),
  checksum: z.string().nullable(),
  /** Images per class in each split (class order as `classes`); null until cached. */
  classCounts: z.object({ train: z.array(z.number().int().min(0)), test: z.array(z.number().int().min(0)).nullable() }).nullable(),
  /** Per-channel mean and standard deviation of the training pixels in [0, 1]. */
  stats: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  hflip: z.boolean().nullable(),
  /** Sample images per class (class order), as PNG data URLs. */
  thumbnails: z.array(z.array(z.string())),
  usedBy: z.array(datasetUserSchema),
});
export type DatasetDetailDto = z.infer<typeof datasetDetailSchema>;

/** The importer's formats (mirrors main/data's DATASET_FORMATS; the service checks they agree). */
export const IMPORT_FORMATS = ['cifar10', 'cifar100', 'idx', 'folder'] as const;
export const importFormatSchema = z.enum(IMPORT_FORMATS);

/** An upload's id in browser mode (a folder under the server's staging area). */
export const UPLOAD_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Where an import reads from: a path on the machine running the service (desktop drop), or a browser upload. */
export const importSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  z.object({ kind: z.literal('upload'), uploadId: z.string().regex(UPLOAD_ID, 'not an upload id') }).strict(),
]);
export type ImportSourceDto = z.infer<typeof importSourceSchema>;

export const IMPORT_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export const IMPORT_PHASES = ['detecting', 'reading', 'finishing', 'done'] as const;

/** A dataset import, a job-like task in the service: progress, then the dataset or the importer's error. */
export const importTaskSchema = z.object({
  id,
  /** Grows with every change: of two snapshots of one task (an answer and an event), the higher is newer. */
  revision: z.number().int().min(0),
  /** What was dropped, as the user knows it: a path (desktop) or the uploaded names (browser mode). */
  source: z.string(),
  /** The dataset name asked for, then the one written. */
  name: z.string().nullable(),
  format: z.string().nullable(),
  status: z.enum(IMPORT_STATUSES),
  phase: z.enum(IMPORT_PHASES),
  /** The file being read, as the user knows it. */
  file: z.string().nullable(),
  images: z.number().int().min(0),
  total: z.number().int().min(0).nullable(),
  /** The importer's reason, and the file it names (as the user knows it). */
  error: z.object({ message: z.string(), file: z.string().nullable() }).nullable(),
  startedAt: iso,
  finishedAt: iso.nullable(),
});
export type ImportTaskDto = z.infer<typeof importTaskSchema>;

export const spaceSchema = z.object({
  name: z.string(),
  ops: z.array(primitiveSchema),
  nodes: z.number().int().min(1),
  cells: z.number().int().min(1),
  channels: z.number().int().min(1),
  builtin: z.boolean(),
});
export type SpaceDto = z.infer<typeof spaceSchema>;

/** A space as the editor saves it: the shared schema (defaults, validation, catalogue order). */
export const spaceInputSchema = searchSpaceSchema;

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

/** `nasw doctor`'s findings for the status bar: which backends load, what `auto` picks, the GPU path's state. */
export const doctorSummarySchema = z.object({
  backends: z.array(z.object({ name: z.string(), loads: z.boolean(), detail: z.string() })),
  auto: z.string(),
  /** One line per finding (tfjs-node-gpu, libtensorflow, CUDA/cuDNN, the GPU), as `nasw doctor` prints them. */
  summary: z.array(z.string()),
  /** How to install the tensorflow backend when it does not load (empty when it does). */
  install: z.array(z.string()),
});
export type DoctorSummaryDto = z.infer<typeof doctorSummarySchema>;
