// CIFAR-10 / CIFAR-100 binary-version reader, from the extracted folder or the .tar.gz, records CHW → HWC.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ByteStream } from './byte-stream';
import { SourceChecksum } from './checksum';
import { DatasetError } from './errors';
import { fileBytes } from './file-stream';
import type { DatasetSource, ReadContext, RecordChunk, SourceEnd, SplitName } from './source';
import { isTarGz, tarGzMembers } from './tar-gz';

export interface CifarLayout {
  format: 'cifar10' | 'cifar100';
  title: string;
  /** Folder the archive unpacks to. */
  dir: string;
  train: string[];
  test: string[];
  /** Label bytes before the pixels of each record, and which of them is the class label. */
  labelBytes: number;
  labelIndex: number;
  /** Classes each label byte may take (CIFAR-100: coarse 20, fine 100). */
  labelRanges: number[];
  namesFile: string;
  defaultNames: string[];
  /** Records every file holds in the published set when they all hold the same number (a shorter one is truncated). */
  equalFiles?: number;
}

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export const CIFAR_LAYOUTS: Record<'cifar10' | 'cifar100', CifarLayout> = {
  cifar10: {
    format: 'cifar10',
    title: 'CIFAR-10 binary version',
    dir: 'cifar-10-batches-bin',
    train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
    test: ['test_batch.bin'],
    labelBytes: 1,
    labelIndex: 0,
    labelRanges: [10],
    namesFile: 'batches.meta.txt',
    defaultNames: CIFAR10_CLASSES,
    equalFiles: 10_000,
  },
  cifar100: {
    format: 'cifar100',
    title: 'CIFAR-100 binary version',
    dir: 'cifar-100-binary',
    train: ['train.bin'],
    test: ['test.bin'],
    labelBytes: 2,
    labelIndex: 1, // <1 x coarse label><1 x fine label><3072 x pixel>: we use the fine label
    labelRanges: [20, 100],
    namesFile: 'fine_label_names.txt',
    defaultNames: Array.from({ length: 100 }, (_, i) => String(i)),
  },
};

export const CIFAR_SIDE = 32;
const PIXELS = CIFAR_SIDE * CIFAR_SIDE;
const RECORDS_PER_CHUNK = 1000;

const recordSize = (l: CifarLayout): number => l.labelBytes + 3 * PIXELS;
const numClasses = (l: CifarLayout): number => l.labelRanges[l.labelIndex]!;

/** Records of one batch file as chunks: labels checked, pixels reordered from CHW planes to HWC; returns the record count. */
async function* cifarChunks(layout: CifarLayout, bytes: AsyncIterable<Uint8Array>, file: string, split: SplitName): AsyncGenerator<RecordChunk, number> {
  const size = recordSize(layout);
  const stream = new ByteStream(bytes);
  let seen = 0;
  try {
    for await (const buf of stream.records(size, RECORDS_PER_CHUNK)) {
      const count = buf.length / size;
      const images = new Uint8Array(count * 3 * PIXELS);
      const labels = new Uint16Array(count);
      for (let r = 0; r < count; r++) {
        const rec = r * size;
        for (let b = 0; b < layout.labelBytes; b++) {
          const v = buf[rec + b]!;
          if (v >= layout.labelRanges[b]!) {
            const which = layout.labelBytes === 1 ? 'label' : b === 0 ? 'coarse label' : 'fine label';
            throw new DatasetError(file, `record ${seen + r}: ${which} ${v} is out of range 0..${layout.labelRanges[b]! - 1}`);
          }
        }
        labels[r] = buf[rec + layout.labelIndex]!;
        const px = rec + layout.labelBytes;
        const out = r * 3 * PIXELS;
        for (let i = 0; i < PIXELS; i++) {
          images[out + 3 * i] = buf[px + i]!;
          images[out + 3 * i + 1] = buf[px + PIXELS + i]!;
          images[out + 3 * i + 2] = buf[px + 2 * PIXELS + i]!;
        }
      }
      seen += count;
      yield { split, images, labels, count, file };
    }
    const extra = await stream.remainder();
    if (extra > 0) {
      throw new DatasetError(file, `truncated: ${extra} bytes after ${seen} whole records of ${size} bytes (a record is ${layout.labelBytes} label byte(s) + 3072 pixel bytes)`);
    }
    if (seen === 0) throw new DatasetError(file, 'holds no records');
    return seen;
  } finally {
    await stream.close();
  }
}

/**
 * A file cut at a record boundary leaves no partial bytes and the format has no count, so the only
 * witness is a sibling: where the layout's files are all equal, one holding fewer records is truncated.
 */
function equalFilesCheck(layout: CifarLayout): (file: string, name: string, count: number) => void {
  let first: { file: string; name: string; count: number } | undefined;
  return (file, name, count) => {
    if (layout.equalFiles === undefined) return;
    if (!first) {
      first = { file, name, count };
      return;
    }
    if (count === first.count) return;
    const [short, long] = count < first.count ? [{ file, count }, first] : [first, { name, count }];
    const rule = `each ${layout.format === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} batch file holds the same number of records, ${layout.equalFiles.toLocaleString('en-US')} in the published set`;
    throw new DatasetError(short.file, `truncated: ${short.count} records where ${long.name} holds ${long.count} (${rule})`);
  };
}

/** Class names from the names file's non-empty lines; its line count must match the classes. */
function parseNames(layout: CifarLayout, text: string, file: string): string[] {
  const names = text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length !== numClasses(layout)) {
    throw new DatasetError(file, `lists ${names.length} class names, expected ${numClasses(layout)}`);
  }
  return names;
}

/** The folder holding the batch files: `p` itself or its `cifar-…-bin` sub-folder. */
async function cifarRoot(layout: CifarLayout, p: string): Promise<string> {
  for (const dir of [p, path.join(p, layout.dir)]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    if ([...layout.train, ...layout.test].some((n) => names.includes(n))) return dir;
  }
  return p;
}

/** Open a CIFAR source: a folder (checked now) or a .tar.gz (members checked as they stream). */
export async function openCifarSource(format: 'cifar10' | 'cifar100', p: string): Promise<DatasetSource> {
  const layout = CIFAR_LAYOUTS[format];
  const st = await stat(p).catch(() => null);
  if (!st) throw new DatasetError(p, 'not found');
  const info = { format, shape: [CIFAR_SIDE, CIFAR_SIDE, 3] as [number, number, number], numClasses: numClasses(layout), hflip: true, options: {} };
  if (st.isFile()) {
    if (!isTarGz(p)) throw new DatasetError(p, `expected the ${layout.title} as a folder or a .tar.gz archive`);
    return { path: p, info, records: (ctx) => archiveRecords(layout, p, ctx) };
  }
  const root = await cifarRoot(layout, p);
  const present = await readdir(root);
  const missing = [...layout.train, ...layout.test].filter((n) => !present.includes(n));
  if (missing.length > 0) {
    throw new DatasetError(root, `missing ${missing.join(', ')} (the ${layout.title} has ${[...layout.train, ...layout.test].join(', ')})`);
  }
  let total = 0;
  for (const n of [...layout.train, ...layout.test]) total += Math.floor((await stat(path.join(root, n))).size / recordSize(layout));
  return { path: root, info: { ...info, total }, records: (ctx) => folderRecords(layout, root, ctx) };
}

async function* folderRecords(layout: CifarLayout, root: string, ctx: ReadContext): AsyncGenerator<RecordChunk, SourceEnd> {
  const checksum = new SourceChecksum();
  const files: [string, SplitName][] = [...layout.train.map((n) => [n, 'train'] as [string, SplitName]), ...layout.test.map((n) => [n, 'test'] as [string, SplitName])];
  const equal = equalFilesCheck(layout);
  for (const [name, split] of files) {
    const file = path.join(root, name);
    ctx.onFile?.(file);
    const sum = checksum.file(name);
    equal(file, name, yield* cifarChunks(layout, fileBytes(file, { gzip: false, hash: sum.hash, signal: ctx.signal }), file, split));
    sum.done();
  }
  let classNames = layout.defaultNames;
  const namesFile = path.join(root, layout.namesFile);
  const text = await readFile(namesFile, 'utf8').catch(() => null);
  if (text !== null) {
    classNames = parseNames(layout, text, namesFile);
    checksum.add(layout.namesFile, Buffer.from(text));
  }
  return { classNames, sha256: checksum.digest() };
}

/**
 * Members stream in archive order; train batches are kept in their canonical order (data_batch_1..5),
 * so a batch that arrives early is held in memory until its turn (at most four 30 MB batches).
 */
async function* archiveRecords(layout: CifarLayout, archive: string, ctx: ReadContext): AsyncGenerator<RecordChunk, SourceEnd> {
  const hash = createHash('sha256');
  const wanted = new Map<string, SplitName>([...layout.train.map((n) => [n, 'train'] as const), ...layout.test.map((n) => [n, 'test'] as const)]);
  const done = new Set<string>();
  const early = new Map<string, Uint8Array>();
  let nextTrain = 0;
  let classNames = layout.defaultNames;
  const seen: string[] = [];
  const at = (name: string) => `${archive}:${name}`;
  const equal = equalFilesCheck(layout);

  async function* emit(name: string, bytes: AsyncIterable<Uint8Array>): AsyncGenerator<RecordChunk> {
    ctx.onFile?.(at(name));
    equal(at(name), name, yield* cifarChunks(layout, bytes, at(name), wanted.get(name)!));
    done.add(name);
  }
  async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
    yield b;
  }

  ctx.onFile?.(archive);
  for await (const member of tarGzMembers(archive, { hash, signal: ctx.signal })) {
    const base = path.posix.basename(member.name);
    seen.push(member.name);
    if (base === layout.namesFile) {
      const parts: Uint8Array[] = [];
      for await (const c of member.bytes) parts.push(c);
      classNames = parseNames(layout, Buffer.concat(parts).toString('utf8'), at(member.name));
      continue;
    }
    const split = wanted.get(base);
    if (!split || done.has(base) || early.has(base)) continue;
    if (split === 'train' && layout.train[nextTrain] !== base) {
      const parts: Uint8Array[] = [];
      for await (const c of member.bytes) parts.push(c);
      early.set(base, Buffer.concat(parts));
      continue;
    }
    yield* emit(base, member.bytes);
    if (split === 'train') {
      nextTrain++;
      while (nextTrain < layout.train.length && early.has(layout.train[nextTrain]!)) {
        const name = layout.train[nextTrain]!;
        const bytes = early.get(name)!;
        early.delete(name);
        yield* emit(name, once(bytes));
        nextTrain++;
      }
    }
  }
  const missing = [...wanted.keys()].filter((n) => !done.has(n) && !early.has(n));
  if (missing.length > 0) {
    const found = seen.length > 0 ? `; its members: ${seen.slice(0, 12).join(', ')}${seen.length > 12 ? ', …' : ''}` : '; it has no files';
    throw new DatasetError(archive, `archive lacks the ${layout.title} members ${missing.join(', ')}${found}`);
  }
  return { classNames, sha256: hash.digest('hex') };
}
