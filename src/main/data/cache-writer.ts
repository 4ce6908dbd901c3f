// Write a source into the cache: streamed into a hidden temp folder, renamed into place only when complete.
import { mkdir, mkdtemp, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from './errors';
import { MANIFEST_FILE, MANIFEST_VERSION, manifestSchema, type CachedSplitInfo, type DatasetManifest } from './manifest';
import { PixelStats } from './pixel-stats';
import { datasetDir, datasetExists } from './registry';
import type { DatasetSource, RecordChunk, SourceEnd, SplitName } from './source';
import { labelsToBytes } from './split-store';
import { ThumbnailPicker } from './thumbnails';

export interface ImportProgress {
  /** `reading`: per file opened and per chunk written; `finishing`: statistics, thumbnails, manifest; `done`. */
  phase: 'reading' | 'finishing' | 'done';
  /** The source file being read. */
  file?: string;
  split?: SplitName;
  /** Images written so far (all splits). */
  images: number;
  /** All images, when the reader knows in advance. */
  total?: number;
}

export interface WriteOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Override the reader's "flip keeps the class" default. */
  hflip?: boolean;
}

interface SplitWriter {
  images: FileHandle;
  labels: FileHandle;
  info: CachedSplitInfo;
}

async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? await folderBytes(p) : (await stat(p)).size;
  }
  return n;
}

/** Stream `source` into `<datasetsDir>/<name>/`; nothing appears under that name unless every step succeeds. */
export async function writeCache(datasetsDir: string, name: string, source: DatasetSource, opts: WriteOptions = {}): Promise<DatasetManifest> {
  const finalDir = datasetDir(datasetsDir, name);
  if (await datasetExists(datasetsDir, name)) throw new DatasetError(finalDir, `a dataset named "${name}" already exists: choose another name or delete it first`);
  if (source.info.numClasses > 65536) throw new DatasetError(source.path, `${source.info.numClasses} classes: at most 65,536 are supported`);
  await mkdir(datasetsDir, { recursive: true });
  const tmp = await mkdtemp(path.join(datasetsDir, `.importing-${name}-`));
  const writers = new Map<SplitName, SplitWriter>();
  const { shape, numClasses, total } = source.info;
  const imageBytes = shape[0] * shape[1] * shape[2];
  const stats = new PixelStats(shape[2]);
  const thumbs = new ThumbnailPicker(shape, numClasses);
  const progress = opts.onProgress ?? (() => {});
  let written = 0;

  const writerFor = async (split: SplitName): Promise<SplitWriter> => {
    let w = writers.get(split);
    if (!w) {
      const info = { count: 0, images: `${split}.u8`, labels: `${split}.labels.u16`, perClass: new Array<number>(numClasses).fill(0) };
      w = { images: await open(path.join(tmp, info.images), 'w'), labels: await open(path.join(tmp, info.labels), 'w'), info };
      writers.set(split, w);
    }
    return w;
  };

  const write = async (chunk: RecordChunk): Promise<void> => {
    if (chunk.images.length !== chunk.count * imageBytes || chunk.labels.length !== chunk.count) {
      throw new DatasetError(chunk.file, `reader produced ${chunk.images.length} bytes for ${chunk.count} images of ${shape.join('×')}`);
    }
    const w = await writerFor(chunk.split);
    for (let i = 0; i < chunk.count; i++) {
      const l = chunk.labels[i]!;
      if (l >= numClasses) throw new DatasetError(chunk.file, `label ${l} is out of range 0..${numClasses - 1}`);
      w.info.perClass[l]!++;
    }
    await w.images.write(chunk.images);
    await w.labels.write(labelsToBytes(chunk.labels));
    w.info.count += chunk.count;
    if (chunk.split === 'train') {
      stats.add(chunk.images);
      thumbs.add(chunk.images, chunk.labels, chunk.count);
    }
    written += chunk.count;
    progress({ phase: 'reading', file: chunk.file, split: chunk.split, images: written, total });
  };

  try {
    opts.signal?.throwIfAborted();
    const it = source.records({
      signal: opts.signal,
      onFile: (file) => {
        progress({ phase: 'reading', file, images: written, total });
      },
    });
    let end: SourceEnd;
    for (;;) {
      opts.signal?.throwIfAborted();
      const r = await it.next();
      if (r.done) {
        end = r.value;
        break;
      }
      await write(r.value);
    }
    opts.signal?.throwIfAborted();
    for (const w of writers.values()) {
      await w.images.close();
      await w.labels.close();
    }
    const train = writers.get('train')?.info;
    if (!train || train.count === 0) throw new DatasetError(source.path, 'no training images found');
    if (end.classNames.length !== numClasses) throw new DatasetError(source.path, `${end.classNames.length} class names for ${numClasses} classes`);
    progress({ phase: 'finishing', images: written, total });
    const manifest: DatasetManifest = {
      version: MANIFEST_VERSION,
      name,
      format: source.info.format,
      source: { path: source.path, sha256: end.sha256 },
      shape: [...shape],
      classNames: end.classNames,
      splits: { train, test: writers.get('test')?.info },
      stats: stats.result(),
      hflip: opts.hflip ?? source.info.hflip,
      thumbnails: await thumbs.write(tmp),
      options: source.info.options,
      bytes: 0,
      created: new Date().toISOString(),
    };
    manifest.bytes = await folderBytes(tmp);
    const checked = manifestSchema.parse(manifest);
    await writeFile(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(checked, null, 2)}\n`);
    opts.signal?.throwIfAborted();
    await rename(tmp, finalDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST' || err.code === 'EPERM') {
        throw new DatasetError(finalDir, `a dataset named "${name}" already exists: choose another name or delete it first`, { cause: err });
      }
      throw err;
    });
    progress({ phase: 'done', images: written, total });
    return checked;
  } catch (err) {
    for (const w of writers.values()) {
      await w.images.close().catch(() => {});
      await w.labels.close().catch(() => {});
    }
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
