// MNIST / Fashion-MNIST IDX reader: train-/t10k- images (magic 2051) and labels (magic 2049), raw or .gz.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ByteStream } from './byte-stream';
import { SourceChecksum } from './checksum';
import { DatasetError } from './errors';
import { fileBytes } from './file-stream';
import type { DatasetSource, ReadContext, RecordChunk, SourceEnd, SplitName } from './source';

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;
/** `train-images-idx3-ubyte`, also with a dot before `idx` (some mirrors) and an optional `.gz`. */
export const IDX_FILE = /^(train|t10k)-(images|labels)[-.]idx([13])-ubyte(\.gz)?$/;

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const IMAGES_PER_CHUNK = 1000;
const MAX_SIDE = 4096;

interface IdxPair {
  split: SplitName;
  images: string;
  labels: string;
}

/** The IDX files in `dir` (or beside a given IDX file), by split: train required, test optional. */
export async function findIdxFiles(p: string): Promise<IdxPair[]> {
  const st = await stat(p).catch(() => null);
  if (!st) throw new DatasetError(p, 'not found');
  const dir = st.isDirectory() ? p : path.dirname(p);
  const names = (await readdir(dir)).filter((n) => IDX_FILE.test(n)).sort();
  const pick = (set: 'train' | 't10k', kind: 'images' | 'labels'): string | undefined => {
    const found = names.filter((n) => n.startsWith(`${set}-${kind}`));
    if (found.length > 1) throw new DatasetError(dir, `holds both ${found.join(' and ')}: keep one`);
    return found[0] === undefined ? undefined : path.join(dir, found[0]);
  };
  const pairs: IdxPair[] = [];
  for (const [set, split] of [['train', 'train'], ['t10k', 'test']] as const) {
    const images = pick(set, 'images');
    const labels = pick(set, 'labels');
    if (!images && !labels) continue;
    if (!images || !labels) {
      const missing = images ? `${set}-labels-idx1-ubyte[.gz]` : `${set}-images-idx3-ubyte[.gz]`;
      throw new DatasetError(dir, `has ${path.basename((images ?? labels)!)} but no ${missing}`);
    }
    pairs.push({ split, images, labels });
  }
  if (!pairs.some((s) => s.split === 'train')) {
    throw new DatasetError(dir, 'no IDX training files: expected train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]');
  }
  return pairs;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

const isGz = (file: string): boolean => file.endsWith('.gz');

interface ImagesHeader {
  count: number;
  rows: number;
  cols: number;
}

/** Read and check an images file's 16-byte header from `bytes`. */
async function readImagesHeader(file: string, bytes: ByteStream): Promise<ImagesHeader> {
  const h = await bytes.read(16);
  if (h.length >= 4 && u32(h, 0) !== IDX_IMAGES_MAGIC) {
    throw new DatasetError(file, `wrong magic number ${u32(h, 0)}: an IDX images file starts with ${IDX_IMAGES_MAGIC} (unsigned bytes, 3 dimensions)`);
  }
  if (h.length < 16) throw new DatasetError(file, `truncated: ${h.length} bytes, shorter than the 16-byte IDX images header`);
  const header = { count: u32(h, 4), rows: u32(h, 8), cols: u32(h, 12) };
  if (header.rows < 1 || header.cols < 1 || header.rows > MAX_SIDE || header.cols > MAX_SIDE) {
    throw new DatasetError(file, `implausible image size ${header.rows}×${header.cols} in the header`);
  }
  return header;
}

/** A whole labels file: header checked, every label read. */
async function readLabels(file: string, ctx: { signal?: AbortSignal; checksum?: SourceChecksum }): Promise<Uint8Array> {
  const sum = ctx.checksum?.file(path.basename(file));
  const bytes = new ByteStream(fileBytes(file, { gzip: isGz(file), hash: sum?.hash, signal: ctx.signal }));
  try {
    const h = await bytes.read(8);
    if (h.length >= 4 && u32(h, 0) !== IDX_LABELS_MAGIC) {
      throw new DatasetError(file, `wrong magic number ${u32(h, 0)}: an IDX labels file starts with ${IDX_LABELS_MAGIC} (unsigned bytes, 1 dimension)`);
    }
    if (h.length < 8) throw new DatasetError(file, `truncated: ${h.length} bytes, shorter than the 8-byte IDX labels header`);
    const count = u32(h, 4);
    const labels = new Uint8Array(await bytes.read(count));
    if (labels.length < count) throw new DatasetError(file, `truncated: the header declares ${count} labels but the file holds ${labels.length}`);
    const extra = await bytes.remainder();
    if (extra > 0) throw new DatasetError(file, `${extra} bytes beyond the ${count} labels its header declares`);
    sum?.done();
    return labels;
  } finally {
    await bytes.close();
  }
}

/** Open an IDX dataset: headers and labels are read and checked now, images stream on `records`. */
export async function openIdxSource(p: string): Promise<DatasetSource> {
  const pairs = await findIdxFiles(p);
  const checksum = new SourceChecksum();
  const headers = new Map<SplitName, ImagesHeader>();
  const labelsBySplit = new Map<SplitName, Uint8Array>();
  for (const pair of pairs) {
    const bytes = new ByteStream(fileBytes(pair.images, { gzip: isGz(pair.images) }));
    const header = await readImagesHeader(pair.images, bytes).finally(() => bytes.close());
    const labels = await readLabels(pair.labels, { checksum });
    if (labels.length !== header.count) {
      throw new DatasetError(pair.images, `holds ${header.count} images but ${path.basename(pair.labels)} holds ${labels.length} labels`);
    }
    headers.set(pair.split, header);
    labelsBySplit.set(pair.split, labels);
  }
  const train = headers.get('train')!;
  for (const [split, h] of headers) {
    if (h.rows !== train.rows || h.cols !== train.cols) {
      const f = pairs.find((x) => x.split === split)!.images;
      throw new DatasetError(f, `images are ${h.rows}×${h.cols} but the training images are ${train.rows}×${train.cols}`);
    }
  }
  let maxLabel = 0;
  for (const l of labelsBySplit.get('train')!) if (l > maxLabel) maxLabel = l;
  const numClasses = maxLabel + 1;
  for (const pair of pairs) {
    const labels = labelsBySplit.get(pair.split)!;
    const bad = labels.findIndex((l) => l >= numClasses);
    if (bad >= 0) {
      throw new DatasetError(pair.labels, `label ${labels[bad]} at index ${bad} is out of range: the training labels span 0..${numClasses - 1}`);
    }
  }
  const fashion = /fashion/i.test(path.resolve(p));
  const classNames = numClasses === 10 && fashion ? FASHION_MNIST_CLASSES : Array.from({ length: numClasses }, (_, i) => String(i));
  const total = [...headers.values()].reduce((a, h) => a + h.count, 0);
  const root = path.dirname(pairs[0]!.images);

  async function* records(ctx: ReadContext): AsyncGenerator<RecordChunk, SourceEnd> {
    for (const pair of pairs) {
      const h = headers.get(pair.split)!;
      const labels = labelsBySplit.get(pair.split)!;
      ctx.onFile?.(pair.images);
      const sum = checksum.file(path.basename(pair.images));
      const bytes = new ByteStream(fileBytes(pair.images, { gzip: isGz(pair.images), hash: sum.hash, signal: ctx.signal }));
      try {
        await readImagesHeader(pair.images, bytes);
        const size = h.rows * h.cols;
        let done = 0;
        for await (const images of bytes.records(size, IMAGES_PER_CHUNK, h.count)) {
          const count = images.length / size;
          yield { split: pair.split, images, labels: Uint16Array.from(labels.subarray(done, done + count)), count, file: pair.images };
          done += count;
        }
        if (done < h.count) {
          throw new DatasetError(pair.images, `truncated: the header declares ${h.count} images of ${h.rows}×${h.cols} but the file ends after ${done}`);
        }
        const extra = await bytes.remainder();
        if (extra > 0) throw new DatasetError(pair.images, `${extra} bytes beyond the ${h.count} images its header declares`);
        sum.done();
      } finally {
        await bytes.close();
      }
    }
    return { classNames, sha256: checksum.digest() };
  }

  return {
    path: root,
    info: { format: 'idx', shape: [train.rows, train.cols, 1], numClasses, total, hflip: fashion, options: {} },
    records,
  };
}
