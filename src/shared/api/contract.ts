// The API contract: every call as a typed channel with request and response schemas, validated on both sides.
import { z } from 'zod';
import { jobSpecSchema, discretizeMethodSchema } from '../jobs';
import {
  datasetSchema,
  queueSchema,
  runDetailSchema,
  runKindSchema,
  runStatusSchema,
  runSummarySchema,
  spaceSchema,
  systemInfoSchema,
} from './dto';

const none = z.object({}).strict().default({});
const runRef = z.object({ runId: z.number().int().positive() }).strict();
const accepted = z.object({ runId: z.number().int().positive(), status: runStatusSchema });

/** Channel name → { request, response }. Names read `domain/verb`; the proxy exposes them as `api.domain.verb(req)`. */
export const apiChannels = {
  'system/info': { request: none, response: systemInfoSchema },
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
  'datasets/list': { request: none, response: z.array(datasetSchema) },
  'spaces/list': { request: none, response: z.array(spaceSchema) },
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
