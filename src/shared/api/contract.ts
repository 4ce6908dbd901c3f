// The API contract: every call as a typed channel with request and response schemas, validated on both sides.
import { z } from 'zod';
import { jobSpecSchema, discretizeMethodSchema } from '../jobs';
import { searchSpaceSchema } from '../search-space';
import {
  compareEntrySchema,
  datasetDetailSchema,
  datasetSchema,
  genotypeEntrySchema,
  importFormatSchema,
  importSourceSchema,
  importTaskSchema,
  networkCountsSchema,
  queueSchema,
  runDetailSchema,
  runKindSchema,
  runStatusSchema,
  runSummarySchema,
  spaceSchema,
  systemInfoSchema,
  doctorSummarySchema,
} from './dto';

const none = z.object({}).strict().default({});
const runRef = z.object({ runId: z.number().int().positive() }).strict();
const accepted = z.object({ runId: z.number().int().positive(), status: runStatusSchema });
const datasetName = z.string().min(1).max(64);
const imageShape = z.tuple([z.number().int().min(1).max(4096), z.number().int().min(1).max(4096), z.number().int().min(1).max(4)]);
/** What the counts are for: a dataset's image shape and classes, or explicit ones (default 32×32×3, 10 classes). */
const countInput = {
  dataset: datasetName.optional(),
  inputShape: imageShape.optional(),
  numClasses: z.number().int().min(1).max(100_000).optional(),
  stem: z.enum(['cifar', 'imagenet']).default('cifar'),
  stemMultiplier: z.number().int().min(1).max(8).default(3),
};

/** Channel name → { request, response }. Names read `domain/verb`; the proxy exposes them as `api.domain.verb(req)`. */
export const apiChannels = {
  'system/info': { request: none, response: systemInfoSchema },
  /** The doctor's findings (computed once per service, on first ask: it loads each backend). */
  'system/doctor': { request: none, response: doctorSummarySchema },
  'runs/list': {
    request: z
      .object({
        kind: runKindSchema.optional(),
        status: z.array(runStatusSchema).optional(),
        parentId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict()
      .default({}),
    response: z.array(runSummarySchema),
  },
  'runs/get': { request: z.object({ id: z.number().int().positive() }).strict(), response: runDetailSchema },
  /** Start any job (search, discretize, retrain, evaluate); answers once the run row exists (queued). */
  'jobs/submit': { request: z.object({ spec: jobSpecSchema }).strict(), response: accepted },
  /** Clean stop at the next step with a final checkpoint (a queued run is cancelled at once). */
  'jobs/cancel': { request: runRef, response: accepted },
  /** An interrupted or cancelled run continues from its last checkpoint. */
  'jobs/resume': { request: runRef, response: accepted },
  /** Discretize one checkpoint of a search run, as a job; the genotype lands on the search run. */
  'jobs/discretize': {
    request: z
      .object({
        searchRunId: z.number().int().positive(),
        /** `last`, or the checkpoint written after this many completed epochs (1 = after the first). */
        checkpoint: z.union([z.literal('last'), z.number().int().min(1)]).default('last'),
        method: discretizeMethodSchema,
      })
      .strict(),
    response: accepted,
  },
  'jobs/queue': { request: none, response: queueSchema },
  /** Several runs side by side: curves (scalars), genotype, and the metrics table's figures. */
  'runs/compare': { request: z.object({ ids: z.array(z.number().int().positive()).min(1).max(8) }).strict(), response: z.array(compareEntrySchema) },
  'datasets/list': { request: none, response: z.array(datasetSchema) },
  /** One dataset: classes with per-class counts, image size, statistics, sample thumbnails, the runs using it. */
  'datasets/get': { request: z.object({ name: datasetName }).strict(), response: datasetDetailSchema },
  /**
   * Import a dropped path (desktop) or an upload (browser mode) as a task; answers at once, progress and the
   * result arrive as `import` events. Folder imports resize to `size` (0 keeps it).
   */
  'datasets/import': {
    request: z
      .object({
        source: importSourceSchema,
        name: datasetName.optional(),
        format: importFormatSchema.optional(),
        size: z.number().int().min(0).max(4096).optional(),
        channels: z.union([z.literal(1), z.literal(3)]).optional(),
        testFraction: z.number().min(0).lt(1).optional(),
      })
      .strict(),
    response: importTaskSchema,
  },
  /** Running and recent imports (newest first). */
  'datasets/imports': { request: none, response: z.array(importTaskSchema) },
  'datasets/cancelImport': { request: z.object({ id: z.number().int().positive() }).strict(), response: importTaskSchema },
  /** Refused (conflict) while a queued, running or resumable run uses it, naming them. */
  'datasets/delete': { request: z.object({ name: datasetName }).strict(), response: z.object({ name: z.string() }) },
  'spaces/list': { request: none, response: z.array(spaceSchema) },
  /** Save a user space (validated by the shared schema); the presets S1–S3 cannot be overwritten. */
  'spaces/save': { request: z.object({ space: searchSpaceSchema }).strict(), response: spaceSchema },
  'spaces/delete': { request: z.object({ name: z.string().min(1).max(80) }).strict(), response: z.object({ name: z.string() }) },
  /** Every stored genotype (discretizations of search runs, imported ones), newest first. */
  'genotypes/list': { request: none, response: z.array(genotypeEntrySchema) },
  /** The supernet's parameters and multiply-adds for a space (analytic, no tensors). */
  'counts/supernet': { request: z.object({ space: searchSpaceSchema, ...countInput }).strict(), response: networkCountsSchema },
  /** A genotype's final network (DARTS text, JSON or a published name) at a size, as a retrain would build it. */
  'counts/network': {
    request: z
      .object({
        genotype: z.string().min(1).max(100_000),
        cells: z.number().int().min(1).max(64),
        channels: z.number().int().min(2).max(512),
        auxiliary: z.boolean().default(false),
        ...countInput,
      })
      .strict(),
    response: networkCountsSchema,
  },
} as const;

export type ApiChannels = typeof apiChannels;
export type ApiChannel = keyof ApiChannels;
/** What a caller passes (defaults not yet applied). */
export type ApiRequestInput<C extends ApiChannel> = z.input<ApiChannels[C]['request']>;
/** What a handler receives (validated, defaults applied). */
export type ApiRequest<C extends ApiChannel> = z.output<ApiChannels[C]['request']>;
export type ApiResponse<C extends ApiChannel> = z.output<ApiChannels[C]['response']>;

/** The service side: one handler per channel, typed by channel name. */
export type ApiHandlers = { [C in ApiChannel]: (request: ApiRequest<C>) => Promise<ApiResponse<C>> };

export function isApiChannel(name: unknown): name is ApiChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiChannels, name);
}
