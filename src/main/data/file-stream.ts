// Read a source file as a byte stream, gunzipped when it is .gz, feeding the raw bytes to its checksum.
import { createReadStream } from 'node:fs';
import { Transform, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Hash } from 'node:crypto';
import { DatasetError } from './errors';

export interface FileBytesOptions {
  gzip: boolean;
  /** Fed with the file's raw (compressed) bytes as they are read. */
  hash?: Hash;
  signal?: AbortSignal;
}

/** Tap a stream: pass bytes through unchanged, showing each chunk to `see`. */
export function tap(see: (chunk: Uint8Array) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      see(chunk);
      cb(null, chunk);
    },
  });
}

/** The (decompressed) bytes of `file`; read and decompression errors become DatasetErrors naming it. */
export async function* fileBytes(file: string, opts: FileBytesOptions): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20, signal: opts.signal });
  let out: Readable = raw;
  const hash = opts.hash;
  if (hash) out = pipeline(out, tap((c) => hash.update(c)), noop);
  if (opts.gzip) out = pipeline(out, createGunzip(), noop);
  try {
    for await (const chunk of out) yield chunk as Uint8Array;
  } catch (err) {
    throw asFileError(file, err, opts.gzip);
  } finally {
    out.destroy();
    raw.destroy();
  }
}

function noop(): void {}

/** A read or zlib failure as a DatasetError naming the file (abort errors pass through unchanged). */
export function asFileError(file: string, err: unknown, gzip: boolean): unknown {
  if (!(err instanceof Error) || err instanceof DatasetError || err.name === 'AbortError') return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DatasetError(file, 'file not found', { cause: err });
  if (code === 'EACCES') return new DatasetError(file, 'permission denied', { cause: err });
  if (code === 'EISDIR') return new DatasetError(file, 'is a folder, not a file', { cause: err });
  if (gzip && code?.startsWith('Z_')) return new DatasetError(file, `not a valid or complete gzip file (${err.message})`, { cause: err });
  return new DatasetError(file, `cannot read (${err.message})`, { cause: err });
}
