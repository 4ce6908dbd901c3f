// A full disk (or quota) while a job writes: told apart from other errors, because the run can resume once space is freed.

/** The error `writeFileAtomic` throws when the file system stops taking bytes. */
export class DiskFullError extends Error {
  readonly code = 'ENOSPC';

  constructor(
    readonly file: string,
    readonly written: number,
    readonly total: number,
  ) {
    super(`the disk is full: ${file} could not be written (${written} of ${total} bytes)`);
    this.name = 'DiskFullError';
  }
}

/** ENOSPC / EDQUOT from Node, SQLITE_FULL from the store, or our own DiskFullError. */
export function isDiskFull(e: unknown): boolean {
  if (e instanceof DiskFullError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}
