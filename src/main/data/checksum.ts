// Source checksums: sha256 of one file, or of a sha256sum-style listing of many, fed while the files stream.
import { createHash, type Hash } from 'node:crypto';

/** Collects per-file digests and combines them into the source's sha256 (see SourceEnd.sha256). */
export class SourceChecksum {
  private readonly files = new Map<string, string>();

  /** A hash to feed with `relPath`'s bytes; call `done` on the returned handle when the file ends. */
  file(relPath: string): { hash: Hash; done: () => void } {
    const hash = createHash('sha256');
    return { hash, done: () => void this.files.set(relPath, hash.digest('hex')) };
  }

  add(relPath: string, bytes: Uint8Array): void {
    this.files.set(relPath, createHash('sha256').update(bytes).digest('hex'));
  }

  digest(): string {
    if (this.files.size === 1) return [...this.files.values()][0]!;
    const names = [...this.files.keys()].sort();
    const listing = names.map((n) => `${this.files.get(n)}  ${n}\n`).join('');
    return createHash('sha256').update(listing).digest('hex');
  }
}
