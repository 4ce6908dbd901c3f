// Browser mode's file uploads for dataset import: POST /api/uploads opens one, PUT /api/uploads/<id>/<name> streams a
// file into <home>/staging/<id>/<name> (size-limited), DELETE /api/uploads/<id> drops it; `datasets/import` reads it.
// All uploads not yet imported share one budget (stored bytes plus bytes arriving), and the disk keeps a reserve.
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rm, statfs } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UPLOAD_ID } from '../../shared/api/dto';
import { ApiError } from '../../shared/api/errors';
import { createUpload, removeUpload, uploadExists, uploadFilePath } from '../api';
import { homePaths } from '../store/home';
import { declaredLength, formatBytes, HttpRefusal, tooLarge } from './requests';

export const UPLOADS_PATH = '/api/uploads';

export interface UploadLimits {
  /** Bytes one upload (all its files) may hold; default 4 GiB. */
  maxBytes?: number;
  /** Files one upload may hold; default 200,000. */
  maxFiles?: number;
  /** Bytes all uploads not yet imported (or dropped) may hold together, stored and arriving; default 8 GiB. */
  maxTotalBytes?: number;
  /** Uploads open at once (not yet imported or dropped); default 64. */
  maxUploads?: number;
  /** Free space an upload must leave on the disk that holds the staging folder; default 1 GiB. */
  reserveBytes?: number;
}

export interface UploadAnswer {
  status: number;
  result: unknown;
}

interface Usage {
  /** Bytes of its files on disk. */
  bytes: number;
  /** Bytes its PUTs in progress have declared or sent so far. */
  pending: number;
  files: number;
}

/** Bytes and files per upload id (kept while the server runs), for the per-upload and the shared limits. */
export class UploadHandler {
  private readonly used = new Map<string, Usage>();
  readonly maxBytes: number;
  readonly maxFiles: number;
  readonly maxTotalBytes: number;
  readonly maxUploads: number;
  readonly reserveBytes: number;

  constructor(
    private readonly home: string,
    limits: UploadLimits = {},
  ) {
    this.maxBytes = limits.maxBytes ?? 4 * 1024 ** 3;
    this.maxFiles = limits.maxFiles ?? 200_000;
    this.maxTotalBytes = limits.maxTotalBytes ?? 8 * 1024 ** 3;
    this.maxUploads = limits.maxUploads ?? 64;
    this.reserveBytes = limits.reserveBytes ?? 1024 ** 3;
  }

  /** Whether `pathname` is an upload route. */
  static matches(pathname: string): boolean {
    return pathname === UPLOADS_PATH || pathname.startsWith(`${UPLOADS_PATH}/`);
  }

  /** Counts the uploads a previous server left in staging (not yet swept) against the shared budget. */
  async init(): Promise<void> {
    const root = homePaths(this.home).staging;
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || !UPLOAD_ID.test(e.name) || this.used.has(e.name)) continue;
      const size = await treeSize(path.join(root, e.name));
      this.used.set(e.name, { bytes: size.bytes, pending: 0, files: size.files });
    }
  }

  /** `accept` is called once the request's body is wanted (it sends `100 Continue` to a client that waits for one). */
  async handle(req: IncomingMessage, pathname: string, accept: () => void = () => {}): Promise<UploadAnswer> {
    const rest = pathname.slice(UPLOADS_PATH.length).replace(/^\//, '');
    const slash = rest.indexOf('/');
    const id = slash < 0 ? rest : rest.slice(0, slash);
    const rel = slash < 0 ? '' : rest.slice(slash + 1);
    if (req.method === 'POST' && id === '') return this.open();
    if (req.method === 'DELETE' && id !== '' && rel === '') {
      await removeUpload(this.home, id);
      this.used.delete(id);
      return { status: 200, result: { uploadId: id } };
    }
    if (req.method === 'PUT' && id !== '' && rel !== '') return this.put(req, id, decodePath(rel), accept);
    throw new ApiError({ code: 'invalid', message: 'Uploads: POST /api/uploads, then PUT /api/uploads/<id>/<file name> per file, DELETE /api/uploads/<id> to drop one.' });
  }

  private async open(): Promise<UploadAnswer> {
    await this.prune();
    if (this.used.size >= this.maxUploads) {
      throw new HttpRefusal(507, { code: 'unavailable', message: `${this.used.size} uploads are waiting to be imported, the most this server keeps: import or drop one first (DELETE ${UPLOADS_PATH}/<id>).` });
    }
    const room = this.maxTotalBytes - this.total();
    if (room <= 0) throw this.budgetFull(0);
    const free = (await this.freeBytes()) - this.reserveBytes;
    if (free <= 0) throw this.diskFull(0);
    const uploadId = await createUpload(this.home);
    this.used.set(uploadId, { bytes: 0, pending: 0, files: 0 });
    // What this upload may hold now: the UI checks a drop against it before sending anything.
    return { status: 200, result: { uploadId, maxBytes: Math.min(this.maxBytes, room, free) } };
  }

  private async put(req: IncomingMessage, id: string, rel: string, accept: () => void): Promise<UploadAnswer> {
    const file = uploadFilePath(this.home, id, rel);
    if (!(await uploadExists(this.home, id))) throw new ApiError({ code: 'not-found', message: `No upload ${id}: open one with POST ${UPLOADS_PATH} first.` });
    const usage = this.used.get(id) ?? { bytes: 0, pending: 0, files: 0 };
    this.used.set(id, usage);
    if (usage.files >= this.maxFiles) throw new ApiError({ code: 'invalid', message: `An upload holds at most ${this.maxFiles} files.` });
    const declared = declaredLength(req) ?? 0;
    // Room for what the client says it sends, taken up front; a body without a length takes room as it arrives.
    await this.reserve(usage, declared);
    let reserved = declared;
    if ((await this.freeBytes()) - declared < this.reserveBytes) {
      usage.pending -= reserved;
      throw this.diskFull(declared);
    }
    usage.files++;
    let written = 0;
    const take = (n: number) => this.reserve(usage, n);
    async function* count(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        written += chunk.length;
        if (written > reserved) {
          await take(written - reserved);
          reserved = written;
        }
        yield chunk;
      }
    }
    try {
      await mkdir(path.dirname(file), { recursive: true });
      accept();
      // `destroyOnReturn: false`: a refused body is read to its end by the caller, so the refusal is not a reset.
      // `wx`: a name is written once; a second PUT of it is refused rather than mixed.
      await pipeline(req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>, count, createWriteStream(file, { flags: 'wx' }));
    } catch (err) {
      usage.files--;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') await rm(file, { force: true }).catch(() => {});
      if (err instanceof ApiError) throw err;
      if (code === 'EEXIST') throw new ApiError({ code: 'conflict', message: `"${rel}" was uploaded already.` });
      // "a/b" after a file "a", or "a" after a folder "a/…".
      if (code === 'ENOTDIR' || code === 'EISDIR') throw new ApiError({ code: 'conflict', message: `"${rel}" clashes with a file or folder uploaded already.` });
      if (code === 'ENOSPC' || code === 'EDQUOT') throw this.diskFull(written);
      throw new ApiError({ code: 'invalid', message: `The upload of "${rel}" broke off: ${(err as Error).message}` });
    } finally {
      usage.pending -= reserved;
    }
    usage.bytes += written;
    return { status: 200, result: { uploadId: id, path: rel, bytes: written } };
  }

  /** Takes `bytes` more for `usage`, or refuses: 413 over the upload's limit, 507 over the shared budget. */
  private async reserve(usage: Usage, bytes: number): Promise<void> {
    if (usage.bytes + usage.pending + bytes > this.maxBytes) throw tooLarge(this.maxBytes, 'The upload');
    if (this.total() + bytes > this.maxTotalBytes) {
      // Imported or swept uploads still count until noticed: look before refusing.
      await this.prune();
      if (this.total() + bytes > this.maxTotalBytes) throw this.budgetFull(bytes);
    }
    usage.pending += bytes;
  }

  /** Forgets uploads whose folder is gone (imported, swept or removed by hand). */
  private async prune(): Promise<void> {
    for (const [id, usage] of [...this.used]) {
      if (usage.pending === 0 && !(await uploadExists(this.home, id))) this.used.delete(id);
    }
  }

  private total(): number {
    let sum = 0;
    for (const u of this.used.values()) sum += u.bytes + u.pending;
    return sum;
  }

  private async freeBytes(): Promise<number> {
    const root = homePaths(this.home).staging;
    await mkdir(root, { recursive: true });
    const fs = await statfs(root);
    return fs.bavail * fs.bsize;
  }

  private budgetFull(bytes: number): HttpRefusal {
    const held = this.total();
    return new HttpRefusal(507, {
      code: 'unavailable',
      message:
        `Uploads waiting to be imported already hold ${formatBytes(held)} of the ${formatBytes(this.maxTotalBytes)} this server keeps` +
        (bytes > 0 ? `, no room for ${formatBytes(bytes)} more` : '') +
        `: import or drop them first (DELETE ${UPLOADS_PATH}/<id>).`,
    });
  }

  private diskFull(bytes: number): HttpRefusal {
    return new HttpRefusal(507, {
      code: 'unavailable',
      message: `The disk holding ${homePaths(this.home).staging} has too little free space${bytes > 0 ? ` for ${formatBytes(bytes)} more` : ''} (uploads leave ${formatBytes(this.reserveBytes)} free).`,
    });
  }
}

function decodePath(rel: string): string {
  try {
    return decodeURIComponent(rel);
  } catch {
    throw new ApiError({ code: 'invalid', message: 'The upload path is not valid URL encoding.' });
  }
}

/** Bytes and files under a folder (links not followed); what cannot be read counts as nothing. */
async function treeSize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      const sub = await treeSize(full);
      bytes += sub.bytes;
      files += sub.files;
    } else if (e.isFile()) {
      bytes += (await lstat(full).catch(() => null))?.size ?? 0;
      files++;
    }
  }
  return { bytes, files };
}
