// What a failed call says in the UI: the service's reason, with field issues when there are any.
import { ApiError, describeIssues } from '../../../shared/api/errors';

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.issues.length && !err.message.includes(err.issues[0]!.message) ? `${err.message} (${describeIssues(err.issues)})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
