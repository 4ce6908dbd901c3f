// Browser mode's file uploads for dataset import: POST /api/uploads opens one, PUT /api/uploads/<id>/<name> streams a
// file into <home>/staging/<id>/<name> (size-limited), DELETE /api/uploads/<id> drops it; `datasets/import` reads it.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../../shared/api/errors';
import { createUpload, removeUpload, uploadExists, uploadFilePath } from '../api';

export const UPLOADS_PATH = '/api/uploads';

export interface UploadLimits {
  /** Bytes one upload (all its files) may hold; default 4 GiB. */
  maxBytes?: number;
  /** Files one upload may hold; default 200,000. */
  maxFiles?: number;
}

export interface UploadAnswer {
  status: number;
  result: unknown;
}

/** Bytes and files written per upload id, for the limits (kept while the server runs). */
export class UploadHandler {
  private readonly used = new Map<string, { bytes: number; files: number }>();
  readonly maxBytes: number;
  readonly maxFiles: number;

  constructor(
    private readonly home: string,
    limits: UploadLimits = {},
  ) {
    this.maxBytes = limits.maxBytes ?? 4 * 1024 ** 3;
    this.maxFiles = limits.maxFiles ?? 200_000;
  }

  /** Whether `pathname` is an upload route. */
  static matches(pathname: string): boolean {
    return pathname === UPLOADS_PATH || pathname.startsWith(`${UPLOADS_PATH}/`);
  }

  async handle(req: IncomingMessage, pathname: string): Promise<UploadAnswer> {
    const rest = pathname.slice(UPLOADS_PATH.length).replace(/^\//, '');
    const slash = rest.indexOf('/');
    const id = slash < 0 ? rest : rest.slice(0, slash);
    const rel = slash < 0 ? '' : rest.slice(slash + 1);
    if (req.method === 'POST' && id === '') {
      const uploadId = await createUpload(this.home);
      this.used.set(uploadId, { bytes: 0, files: 0 });
      return { status: 200, result: { uploadId, maxBytes: this.maxBytes } };
    }
    if (req.method === 'DELETE' && id !== '' && rel === '') {
      await removeUpload(this.home, id);
      this.used.delete(id);
      return { status: 200, result: { uploadId: id } };
    }
    if (req.method === 'PUT' && id !== '' && rel !== '') return this.put(req, id, decodePath(rel));
    throw new ApiError({ code: 'invalid', message: 'Uploads: POST /api/uploads, then PUT /api/uploads/<id>/<file name> per file, DELETE /api/uploads/<id> to drop one.' });
  }

  private async put(req: IncomingMessage, id: string, rel: string): Promise<UploadAnswer> {
    const file = uploadFilePath(this.home, id, rel);
    if (!(await uploadExists(this.home, id))) throw new ApiError({ code: 'not-found', message: `No upload ${id}: open one with POST ${UPLOADS_PATH} first.` });
    const used = this.used.get(id) ?? { bytes: 0, files: 0 };
    this.used.set(id, used);
    if (used.files >= this.maxFiles) throw new ApiError({ code: 'invalid', message: `An upload holds at most ${this.maxFiles} files.` });
    const declared = Number(req.headers['content-length'] ?? NaN);
    const tooBig = () => new ApiError({ code: 'invalid', message: `The upload is larger than this server accepts (${mib(this.maxBytes)}).` });
    if (Number.isFinite(declared) && used.bytes + declared > this.maxBytes) throw tooBig();
    await mkdir(path.dirname(file), { recursive: true });
    used.files++;
    let written = 0;
    const limit = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        written += chunk.length;
        if (used.bytes + written > limit) done(tooBig());
        else done(null, chunk);
      },
    });
    try {
      // `wx`: a name is written once; a second PUT of it is refused rather than mixed.
      await pipeline(req, counter, createWriteStream(file, { flags: 'wx' }));
    } catch (err) {
      used.files--;
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(file, { force: true });
      if (err instanceof ApiError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ApiError({ code: 'conflict', message: `"${rel}" was uploaded already.` });
      throw new ApiError({ code: 'invalid', message: `The upload of "${rel}" broke off: ${(err as Error).message}` });
    }
    used.bytes += written;
    return { status: 200, result: { uploadId: id, path: rel, bytes: written } };
  }
}

function decodePath(rel: string): string {
  try {
    return decodeURIComponent(rel);
  } catch {
    throw new ApiError({ code: 'invalid', message: 'The upload path is not valid URL encoding.' });
  }
}

const mib = (b: number) => `${Math.round(b / 1024 ** 2)} MiB`;
