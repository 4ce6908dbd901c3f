// Recognising SQLite constraint failures, so queries can turn them into the store's own errors.

export function isForeignKeyFailure(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export function isUniqueFailure(err: unknown): boolean {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
