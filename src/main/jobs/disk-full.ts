// A full disk (or quota) while a job writes: told apart from other errors, because the run can resume once space is freed.
import fs from 'node:fs';

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

/** Bytes kept aside in a home so the store can still record how a run ended once the disk is full. */
export const DISK_RESERVE_BYTES = 1 << 20;

/**
 * A ballast file: made (best effort) before each job starts, deleted when a store write hits a full disk,
 * so that write can be retried and the run's true status recorded.
 */
export class DiskReserve {
  constructor(
    readonly file: string,
    private readonly bytes = DISK_RESERVE_BYTES,
  ) {}

  /** Create the reserve if it is missing; on a disk already too full, go without. */
  ensure(): void {
    try {
      if (fs.statSync(this.file, { throwIfNoEntry: false })?.size === this.bytes) return;
      fs.writeFileSync(this.file, Buffer.alloc(this.bytes, 0x4e));
    } catch {
      fs.rmSync(this.file, { force: true });
    }
  }

  /** Free the reserve; false when there was none to free. */
  release(): boolean {
    if (!fs.existsSync(this.file)) return false;
    fs.rmSync(this.file, { force: true });
    return true;
  }

  /** Run a store write; if the disk is full, free the reserve and try once more. */
  write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!isDiskFull(e) || !this.release()) throw e;
      return fn();
    }
  }
}
