// The renderer's one generic proxy over a transport: `api.runs.list(q)` calls channel `runs/list`, `api.onJob(cb)`
// listens to event `job`. Requests are validated before sending, responses and events after receiving.
import type { z } from 'zod';
import { apiChannels, isApiChannel, type ApiChannel, type ApiRequestInput, type ApiResponse } from './contract';
import { ApiError, apiEnvelopeSchema, describeIssues, issuesOf } from './errors';
import { apiEvents, type ApiEventName, type ApiEventPayload } from './events';

/** How calls and events travel: Electron IPC (preload) or HTTP + WebSocket (browser mode). */
export interface ApiTransport {
  readonly kind: 'ipc' | 'http';
  /** Send one call; resolves with the service's envelope (`{ ok, result | error }`) as received. */
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /** Listen to one event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}

type DomainOf<C> = C extends `${infer D}/${string}` ? D : never;
type VerbOf<C, D extends string> = C extends `${D}/${infer V}` ? V : never;
type CallOf<C extends ApiChannel> = undefined extends ApiRequestInput<C>
  ? (request?: ApiRequestInput<C>) => Promise<ApiResponse<C>>
  : (request: ApiRequestInput<C>) => Promise<ApiResponse<C>>;

export type ApiDomains = {
  [D in DomainOf<ApiChannel>]: { [C in ApiChannel as C extends `${D}/${string}` ? VerbOf<C, D> : never]: CallOf<C> };
};
export type ApiEventMembers = {
  [E in ApiEventName as `on${Capitalize<E>}`]: (listener: (payload: ApiEventPayload<E>) => void) => () => void;
};

export interface ApiClientCore {
  readonly transport: ApiTransport['kind'];
  invoke<C extends ApiChannel>(channel: C, request?: ApiRequestInput<C>): Promise<ApiResponse<C>>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void;
}

export type ApiClient = ApiClientCore & ApiDomains & ApiEventMembers;

export interface ApiClientOptions {
  /** Told about an event that failed its schema (it is dropped). */
  onInvalidEvent?: (event: string, error: z.ZodError) => void;
}

export function createApiClient(transport: ApiTransport, options: ApiClientOptions = {}): ApiClient {
  async function invoke<C extends ApiChannel>(channel: C, request?: ApiRequestInput<C>): Promise<ApiResponse<C>> {
    if (!isApiChannel(channel)) throw new ApiError({ code: 'invalid', message: `Unknown API channel "${String(channel)}".` });
    const spec = apiChannels[channel];
    const req = spec.request.safeParse(request);
    if (!req.success) {
      const issues = issuesOf(req.error);
      throw new ApiError({ code: 'invalid', message: `Invalid request for ${channel}: ${describeIssues(issues)}`, issues }, channel);
    }
    const raw = await transport.invoke(channel, req.data);
    const envelope = apiEnvelopeSchema.safeParse(raw);
    if (!envelope.success) throw new ApiError({ code: 'internal', message: `The answer to ${channel} is not an API envelope.` }, channel);
    if (!envelope.data.ok) throw new ApiError(envelope.data.error, channel);
    const res = spec.response.safeParse(envelope.data.result);
    if (!res.success) {
      const issues = issuesOf(res.error);
      throw new ApiError({ code: 'internal', message: `The answer to ${channel} does not match the contract: ${describeIssues(issues)}`, issues }, channel);
    }
    return res.data as ApiResponse<C>;
  }

  function on<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void {
    const schema = apiEvents[event];
    if (!schema) throw new ApiError({ code: 'invalid', message: `Unknown API event "${String(event)}".` });
    return transport.on(event, (payload) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) listener(parsed.data as ApiEventPayload<E>);
      else options.onInvalidEvent?.(event, parsed.error);
    });
  }

  const core: ApiClientCore = { transport: transport.kind, invoke, on };
  const domains = new Map<string, object>();
  return new Proxy(core as ApiClient, {
    get(target, prop) {
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      if (prop in target) return (target as unknown as Record<string, unknown>)[prop];
      const event = /^on([A-Z]\w*)$/.exec(prop);
      if (event) {
        const name = event[1]!.charAt(0).toLowerCase() + event[1]!.slice(1);
        return (listener: (payload: unknown) => void) => on(name as ApiEventName, listener);
      }
      let domain = domains.get(prop);
      if (!domain) {
        domain = new Proxy(
          {},
          {
            get: (_t, verb) => (typeof verb === 'string' && verb !== 'then' ? (request?: unknown) => invoke(`${prop}/${verb}` as ApiChannel, request as never) : undefined),
          },
        );
        domains.set(prop, domain);
      }
      return domain;
    },
  });
}
