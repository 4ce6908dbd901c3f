// Browser-mode uploads: one folder per upload under <home>/staging, files kept under their relative names,
// resolved into an import source (and removed) by the service; stale ones are swept.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UPLOAD_ID } from '../../shared/api/dto';
import { ApiError } from '../../shared/api/errors';
import { homePaths } from '../store/home';

/** Deepest relative path an upload may hold (a class folder inside a dataset folder inside … ). */
const MAX_DEPTH = 12;
const MAX_SEGMENT = 255;

export function newUploadId(): string {
  return randomBytes(18).toString('base64url');
}

export function uploadDir(home: string, id: string): string {
  if (!UPLOAD_ID.test(id)) throw new ApiError({ code: 'invalid', message: `"${id}" is not an upload id.` });
  return path.join(homePaths(home).staging, id);
}

export async function createUpload(home: string): Promise<string> {
  const id = newUploadId();
  await mkdir(uploadDir(home, id), { recursive: true });
  return id;
}

export async function uploadExists(home: string, id: string): Promise<boolean> {
  return (await stat(uploadDir(home, id)).catch(() => null))?.isDirectory() ?? false;
}

/**
 * A relative file name inside an upload ("mnist/train-images-idx3-ubyte.gz"), checked segment by segment:
 * no absolute paths, no `..` or `.`, no empty, hidden or control-character names; '/' or '\' separators.
 */
export function checkUploadPath(rel: string): string[] {
  const segments = rel.split(/[\\/]/);
  const bad = (why: string) => new ApiError({ code: 'invalid', message: `Upload path "${rel}" is not allowed: ${why}.` });
  if (segments.length > MAX_DEPTH) throw bad(`deeper than ${MAX_DEPTH} levels`);
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') throw bad('empty, "." or ".." segments');
    if (s.startsWith('.')) throw bad('hidden names');
    if (s.length > MAX_SEGMENT) throw bad(`a name longer than ${MAX_SEGMENT} characters`);
    if (/[\u0000-\u001f<>:"|?*]/.test(s)) throw bad('control or reserved characters');
  }
  return segments;
}

/** Where an uploaded file goes; always inside the upload's folder. */
export function uploadFilePath(home: string, id: string, rel: string): string {
  const dir = uploadDir(home, id);
  const file = path.join(dir, ...checkUploadPath(rel));
  if (!file.startsWith(dir + path.sep)) throw new ApiError({ code: 'invalid', message: `Upload path "${rel}" leaves the upload.` });
  return file;
}

export interface StagedSource {
  /** What to import: the single top-level entry, or the upload folder when it holds several (IDX files). */
  path: string;
  /** The uploaded names in words. */
  label: string;
  /** An importer path → the name the user uploaded it as. */
  display: (p: string) => string;
}

export async function stagedSource(home: string, id: string): Promise<StagedSource> {
  const dir = uploadDir(home, id);
  const entries = (await readdir(dir, { withFileTypes: true }).catch(() => null))?.filter((e) => !e.name.startsWith('.'));
  if (!entries) throw new ApiError({ code: 'not-found', message: `No upload ${id} (it may have been imported or swept already).` });
  if (entries.length === 0) throw new ApiError({ code: 'invalid', message: 'The upload holds no files.' });
  const names = entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  const label = names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  const display = (p: string) => {
    const rel = path.relative(dir, p);
    if (rel === '') return label;
    if (rel.startsWith('..') || path.isAbsolute(rel)) return p;
    return rel.split(path.sep).join('/');
  };
  return { path: entries.length === 1 ? path.join(dir, entries[0]!.name) : dir, label, display };
}

export async function removeUpload(home: string, id: string): Promise<void> {
  await rm(uploadDir(home, id), { recursive: true, force: true });
}

/** Remove uploads older than `maxAgeMs` (abandoned: never imported, or a crash mid-import). */
export async function sweepStaging(home: string, maxAgeMs: number, now = Date.now()): Promise<string[]> {
  const root = homePaths(home).staging;
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !UPLOAD_ID.test(e.name)) continue;
    const st = await stat(path.join(root, e.name)).catch(() => null);
    if (st && now - st.mtimeMs > maxAgeMs) {
      await rm(path.join(root, e.name), { recursive: true, force: true });
      removed.push(e.name);
    }
  }
  return removed;
}
