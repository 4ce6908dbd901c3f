// One entry for every transport: validate the request, run the handler, validate the answer, wrap it in an envelope.
import { apiChannels, isApiChannel, type ApiChannel, type ApiHandlers } from '../../shared/api/contract';
import { describeIssues, issuesOf, type ApiEnvelope } from '../../shared/api/errors';
import { apiEvents, type ApiEventName } from '../../shared/api/events';
import { toApiError } from './errors';

export async function dispatch(handlers: ApiHandlers, channel: unknown, payload: unknown): Promise<ApiEnvelope> {
  if (!isApiChannel(channel)) return { ok: false, error: { code: 'invalid', message: `Unknown API channel "${String(channel)}".` } };
  const spec = apiChannels[channel];
  const request = spec.request.safeParse(payload);
  if (!request.success) {
    const issues = issuesOf(request.error);
    return { ok: false, error: { code: 'invalid', message: `Invalid request for ${channel}: ${describeIssues(issues)}`, issues } };
  }
  let result: unknown;
  try {
    const handler = handlers[channel] as (req: unknown) => Promise<unknown>;
    result = await handler(request.data);
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
  const response = spec.response.safeParse(jsonSafe(result));
  if (!response.success) {
    const issues = issuesOf(response.error);
    return { ok: false, error: { code: 'internal', message: `The service's answer to ${channel} broke the contract: ${describeIssues(issues)}`, issues } };
  }
  return { ok: true, result: response.data };
}

/** An event payload checked against its schema, as JSON would carry it (NaN → null); null if it does not fit. */
export function checkEvent<E extends ApiEventName>(event: E, payload: unknown): { ok: true; payload: unknown } | { ok: false; message: string } {
  const parsed = apiEvents[event].safeParse(jsonSafe(payload));
  if (parsed.success) return { ok: true, payload: parsed.data };
  return { ok: false, message: describeIssues(issuesOf(parsed.error)) };
}

/** What JSON makes of a value (NaN and ±Infinity → null), so IPC and HTTP deliver the same data. */
export function jsonSafe(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

export type { ApiChannel };
