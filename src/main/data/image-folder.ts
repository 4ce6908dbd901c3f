// Image-folder reader: one sub-folder per class (optionally under train/ and test/ or val/), decoded and resized with sharp.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SourceChecksum } from './checksum';
import { DatasetError } from './errors';
import { IMAGE_EXTENSIONS, decodeImage, imageChannels } from './image-decode';
import { Prng } from './prng';
import type { DatasetSource, ReadContext, RecordChunk, SourceEnd, SplitName } from './source';

export interface FolderOptions {
  /** Square side to resize to (`fit: 'cover'`: fill, then centre-crop); 0 keeps the images' own size, which must then agree. Default 32. */
  size?: number;
  /** Convert every image to 1 (grey) or 3 (colour) channels; unset, all must match the first image. */
  channels?: 1 | 3;
  /** Without a test/ or val/ folder, this share of each class is held out as the test split (seeded). Default 0.1. */
  testFraction?: number;
  /** Seed of the held-out choice. Default 0. */
  seed?: number;
}

const DECODE_AHEAD = 4;
const IMAGES_PER_CHUNK = 256;

interface ImageFile {
  file: string;
  rel: string;
  label: number;
  split: SplitName;
}

const visible = (name: string) => !name.startsWith('.');

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && visible(e.name))
    .map((e) => e.name)
    .sort();
}

/** The image files of one class folder, sorted; anything else in it is an error. */
async function classImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    if (!visible(e.name)) continue;
    const file = path.join(dir, e.name);
    if (e.isDirectory()) throw new DatasetError(file, 'a folder inside a class folder: classes must hold image files only');
    if (!IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) {
      throw new DatasetError(file, `not an image file: expected ${IMAGE_EXTENSIONS.join(', ')}`);
    }
    out.push(e.name);
  }
  if (out.length === 0) throw new DatasetError(dir, 'empty class folder: no JPEG, PNG or WebP images');
  return out.sort();
}

interface FolderLayout {
  classNames: string[];
  files: ImageFile[];
  /** Where the test split comes from. */
  test: 'folder' | 'held-out' | 'none';
}

/** Work out the layout and list every image, without decoding any. */
export async function folderLayout(root: string, opts: FolderOptions = {}): Promise<FolderLayout> {
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new DatasetError(root, st ? 'not a folder' : 'not found');
  const top = await subfolders(root);
  const testDir = ['test', 'val'].find((d) => top.includes(d));
  const split = top.includes('train');
  const trainRoot = split ? path.join(root, 'train') : root;
  const classNames = await subfolders(trainRoot);
  if (classNames.length === 0) throw new DatasetError(trainRoot, 'no class sub-folders: expected one folder of images per class');
  const files: ImageFile[] = [];
  const fraction = opts.testFraction ?? 0.1;
  if (!(fraction >= 0 && fraction < 1)) throw new DatasetError(root, `test fraction ${fraction} is not in [0, 1)`);
  const heldOut = !(split && testDir) && fraction > 0;
  for (const [label, name] of classNames.entries()) {
    const dir = path.join(trainRoot, name);
    const images = await classImages(dir);
    const test = new Set<number>();
    if (heldOut) {
      const k = Math.min(images.length - 1, Math.round(images.length * fraction));
      const perm = Prng.of(opts.seed ?? 0, label).permutation(images.length);
      for (let i = 0; i < k; i++) test.add(perm[i]!);
    }
    images.forEach((f, i) => files.push({ file: path.join(dir, f), rel: path.relative(root, path.join(dir, f)), label, split: test.has(i) ? 'test' : 'train' }));
  }
  if (split && testDir) {
    const testRoot = path.join(root, testDir);
    for (const name of await subfolders(testRoot)) {
      const label = classNames.indexOf(name);
      const dir = path.join(testRoot, name);
      if (label < 0) throw new DatasetError(dir, `class "${name}" is not among the training classes (${classNames.join(', ')})`);
      for (const f of await classImages(dir)) files.push({ file: path.join(dir, f), rel: path.relative(root, path.join(dir, f)), label, split: 'test' });
    }
  }
  return { classNames, files, test: split && testDir ? 'folder' : heldOut ? 'held-out' : 'none' };
}

/** Open an image folder: the layout is listed and the first image probed now; images decode on `records`. */
export async function openFolderSource(root: string, opts: FolderOptions = {}): Promise<DatasetSource> {
  const layout = await folderLayout(root, opts);
  const size = opts.size ?? 32;
  if (!Number.isInteger(size) || size < 0 || size > 4096) throw new DatasetError(root, `image size ${size} is not an integer in 0..4096`);
  const first = layout.files[0]!;
  const firstBytes = await readFile(first.file);
  const channels = opts.channels ?? (await imageChannels(firstBytes, first.file));
  const probe = await decodeImage(firstBytes, first.file, { size, channels });
  const options = { size, fit: 'cover', channels: opts.channels ?? 'as the images', test: layout.test, testFraction: layout.test === 'held-out' ? (opts.testFraction ?? 0.1) : undefined, seed: opts.seed ?? 0 };

  async function* records(ctx: ReadContext): AsyncGenerator<RecordChunk, SourceEnd> {
    const checksum = new SourceChecksum();
    const H = probe.height;
    const W = probe.width;
    const bytesPer = H * W * channels;
    const pending: Record<SplitName, { images: Uint8Array; labels: Uint16Array; count: number; file: string }> = {
      train: { images: new Uint8Array(IMAGES_PER_CHUNK * bytesPer), labels: new Uint16Array(IMAGES_PER_CHUNK), count: 0, file: '' },
      test: { images: new Uint8Array(IMAGES_PER_CHUNK * bytesPer), labels: new Uint16Array(IMAGES_PER_CHUNK), count: 0, file: '' },
    };
    const flush = (split: SplitName): RecordChunk => {
      const p = pending[split];
      const chunk = { split, images: p.images.slice(0, p.count * bytesPer), labels: p.labels.slice(0, p.count), count: p.count, file: p.file };
      p.count = 0;
      return chunk;
    };
    const load = async (f: ImageFile) => {
      ctx.signal?.throwIfAborted();
      const bytes = await readFile(f.file, { signal: ctx.signal }).catch((err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') throw err;
        throw new DatasetError(f.file, `cannot read (${err.code ?? err.message})`, { cause: err });
      });
      checksum.add(f.rel.split(path.sep).join('/'), bytes);
      if (!opts.channels) {
        const c = await imageChannels(bytes, f.file);
        if (c !== channels) {
          throw new DatasetError(
            f.file,
            `mixed channel counts: this image is ${c === 1 ? 'greyscale' : 'colour'} but ${first.rel} is ${channels === 1 ? 'greyscale' : 'colour'}; convert them all (channels: 1 or 3, --channels)`,
          );
        }
      }
      const img = await decodeImage(bytes, f.file, { size, channels });
      if (img.width !== W || img.height !== H) {
        throw new DatasetError(f.file, `mixed image sizes: ${img.width}×${img.height} but ${first.rel} is ${W}×${H}; give a size (--size) to resize them all`);
      }
      return img.data;
    };
    // Decode a few images ahead, in order; a failed one is reported when its turn comes.
    const ahead: Promise<Uint8Array>[] = [];
    const start = (i: number) => {
      const p = load(layout.files[i]!);
      p.catch(() => {});
      ahead.push(p);
    };
    let next = 0;
    while (next < Math.min(DECODE_AHEAD, layout.files.length)) start(next++);
    for (let i = 0; i < layout.files.length; i++) {
      const f = layout.files[i]!;
      ctx.onFile?.(f.file);
      const data = await ahead.shift()!;
      if (next < layout.files.length) start(next++);
      const p = pending[f.split];
      p.images.set(data, p.count * bytesPer);
      p.labels[p.count] = f.label;
      p.file = f.file;
      p.count++;
      if (p.count === IMAGES_PER_CHUNK) yield flush(f.split);
    }
    for (const s of ['train', 'test'] as const) if (pending[s].count > 0) yield flush(s);
    return { classNames: layout.classNames, sha256: checksum.digest() };
  }

  return {
    path: root,
    info: { format: 'folder', shape: [probe.height, probe.width, channels], numClasses: layout.classNames.length, total: layout.files.length, hflip: true, options },
    records,
  };
}
