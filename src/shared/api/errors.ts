// Errors that cross the API boundary: a code the UI can act on, the reason in words, and the invalid fields.
import { z } from 'zod';

export const API_ERROR_CODES = ['invalid', 'not-found', 'conflict', 'unauthorized', 'unavailable', 'internal'] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const apiIssueSchema = z.object({ path: z.string(), message: z.string() });
export type ApiIssue = z.infer<typeof apiIssueSchema>;

export const apiErrorSchema = z.object({
  code: z.enum(API_ERROR_CODES),
  message: z.string(),
  /** Field-level problems (a request or a config that failed its schema). */
  issues: z.array(apiIssueSchema).optional(),
});
export type ApiErrorInfo = z.infer<typeof apiErrorSchema>;

/** What every call answers, on every transport: the result, or an error with its reason. */
export const apiEnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorSchema }),
]);
export type ApiEnvelope = { ok: true; result: unknown } | { ok: false; error: ApiErrorInfo };

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly issues: ApiIssue[];
  readonly channel: string | undefined;

  constructor(info: ApiErrorInfo, channel?: string) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
    this.issues = info.issues ?? [];
    this.channel = channel;
  }

  toInfo(): ApiErrorInfo {
    return { code: this.code, message: this.message, ...(this.issues.length ? { issues: this.issues } : {}) };
  }
}

/** A zod error as API issues: `path.to.field: message`. */
export function issuesOf(error: z.ZodError): ApiIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** One line naming every issue, for an error banner. */
export function describeIssues(issues: readonly ApiIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
