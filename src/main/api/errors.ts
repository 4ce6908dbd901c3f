// Turns what a handler throws into the contract's error info: store and schema errors keep their reason.
import { z } from 'zod';
import { ApiError, issuesOf, type ApiErrorInfo } from '../../shared/api/errors';
import { DatasetError } from '../data/errors';
import { InvalidInputError, InvalidTransitionError, NotFoundError, SchemaTooNewError } from '../store/errors';

export function toApiError(err: unknown): ApiErrorInfo {
  if (err instanceof ApiError) return err.toInfo();
  if (err instanceof z.ZodError) return { code: 'invalid', message: err.issues.map((i) => i.message).join('; '), issues: issuesOf(err) };
  if (err instanceof NotFoundError) return { code: 'not-found', message: err.message };
  if (err instanceof InvalidTransitionError) return { code: 'conflict', message: err.message };
  if (err instanceof InvalidInputError) return { code: 'invalid', message: err.message };
  if (err instanceof DatasetError) return { code: 'invalid', message: err.message };
  if (err instanceof SchemaTooNewError) return { code: 'unavailable', message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message || err.name };
  return { code: 'internal', message: String(err) };
}
