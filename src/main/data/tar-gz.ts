// Stream the members of a .tar.gz archive (tar-stream over zlib), never holding the archive in memory.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Hash } from 'node:crypto';
import { extract as tarExtract } from 'tar-stream';
import { DatasetError } from './errors';

export interface TarMember {
  /** Path inside the archive, as stored. */
  name: string;
  size: number;
  /** The member's bytes; read them before asking for the next member (or they are skipped). */
  bytes: AsyncIterable<Uint8Array>;
}

/** True for names ending in .tar.gz or .tgz. */
export function isTarGz(file: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(file);
}

/** Regular-file members of `archive`, in archive order; `hash` sees the raw archive bytes. */
export async function* tarGzMembers(archive: string, opts: { hash?: Hash; signal?: AbortSignal } = {}): AsyncGenerator<TarMember> {
  const raw = createReadStream(archive, { highWaterMark: 1 << 20, signal: opts.signal });
  const gunzip = createGunzip();
  const extract = tarExtract();
  const fail = (err: Error) => extract.destroy(err);
  raw.on('error', fail);
  gunzip.on('error', fail);
  if (opts.hash) {
    const h = opts.hash;
    raw.on('data', (c: Buffer | string) => void h.update(c));
  }
  raw.pipe(gunzip).pipe(extract);
  try {
    for await (const entry of extract) {
      if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') {
        yield { name: entry.header.name, size: entry.header.size ?? 0, bytes: entry as AsyncIterable<Uint8Array> };
      }
      entry.resume();
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') throw err;
    if (err instanceof DatasetError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(archive, 'file not found', { cause: err });
    const why = code?.startsWith('Z_') ? 'not a valid or complete gzip file' : 'not a valid or complete tar archive';
    throw new DatasetError(archive, `${why} (${(err as Error).message})`, { cause: err });
  } finally {
    raw.destroy();
    gunzip.destroy();
    extract.destroy();
  }
}
