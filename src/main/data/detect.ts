// Recognise a dataset source (folder, archive or file) as CIFAR-10, CIFAR-100, IDX or an image folder, or say why not.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { CIFAR_LAYOUTS } from './cifar';
import { DatasetError } from './errors';
import { IDX_FILE, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx';
import type { DatasetFormat } from './source';
import { isTarGz, tarGzMembers } from './tar-gz';

const C10 = CIFAR_LAYOUTS.cifar10;
const C100 = CIFAR_LAYOUTS.cifar100;

function cifarFromNames(names: string[]): DatasetFormat | null {
  if (names.some((n) => [...C10.train, ...C10.test].includes(n))) return 'cifar10';
  if (names.some((n) => [...C100.train, ...C100.test].includes(n))) return 'cifar100';
  return null;
}

/** A hint for the python / matlab CIFAR versions, which look alike but are not the binary one. */
function otherCifarVersion(names: string[]): string | null {
  if (names.some((n) => /^data_batch_\d$/.test(n) || n === 'test_batch')) return 'this is the CIFAR-10 python version; download the binary version (cifar-10-binary.tar.gz)';
  if (names.some((n) => /^data_batch_\d\.mat$/.test(n))) return 'this is the CIFAR-10 matlab version; download the binary version (cifar-10-binary.tar.gz)';
  if (names.includes('train') && names.includes('meta') && names.includes('test')) return 'this looks like the CIFAR-100 python version; download the binary version (cifar-100-binary.tar.gz)';
  return null;
}

/** The first bytes of a file (decompressed when gzip). */
async function head(file: string, n: number): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const raw = buf.subarray(0, bytesRead);
    if (raw[0] === 0x1f && raw[1] === 0x8b) {
      try {
        return gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH } /* accept a prefix */).subarray(0, n);
      } catch {
        return new Uint8Array(0);
      }
    }
    return raw.subarray(0, n);
  } finally {
    await fh.close();
  }
}

async function detectFile(file: string): Promise<DatasetFormat> {
  const base = path.basename(file);
  if (isTarGz(file)) {
    const seen: string[] = [];
    for await (const m of tarGzMembers(file)) {
      const name = path.posix.basename(m.name);
      seen.push(name);
      const f = cifarFromNames([name]);
      if (f) return f;
      if (seen.length >= 64) break;
    }
    const hint = otherCifarVersion(seen);
    throw new DatasetError(file, hint ?? `archive holds no CIFAR-10 or CIFAR-100 binary batches (data_batch_1.bin … / train.bin, test.bin)${seen.length ? `; first members: ${seen.slice(0, 8).join(', ')}` : ''}`);
  }
  const fromName = cifarFromNames([base]);
  if (fromName) return fromName;
  const h = await head(file, 4);
  const magic = h.length >= 4 ? ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0 : -1;
  if (IDX_FILE.test(base) || magic === IDX_IMAGES_MAGIC || magic === IDX_LABELS_MAGIC) return 'idx';
  const hint = otherCifarVersion([base]);
  throw new DatasetError(file, hint ?? 'not a dataset file: expected a CIFAR binary .tar.gz or .bin batch, or an MNIST-style IDX file (raw or .gz)');
}

async function detectFolder(dir: string): Promise<DatasetFormat> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.map((e) => e.name);
  const cifar = cifarFromNames(names);
  if (cifar) return cifar;
  for (const layout of [C10, C100]) {
    if (names.includes(layout.dir)) {
      const inner = cifarFromNames(await readdir(path.join(dir, layout.dir)).catch(() => []));
      if (inner) return inner;
    }
  }
  if (names.some((n) => IDX_FILE.test(n))) return 'idx';
  const hint = otherCifarVersion(names);
  if (hint) throw new DatasetError(dir, hint);
  const sub = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  if (sub.length > 0) return 'folder';
  const archives = names.filter((n) => isTarGz(n));
  const more = archives.length > 0 ? `; import the archive itself (${archives[0]})` : '';
  throw new DatasetError(dir, `no CIFAR binary batches, IDX files or class sub-folders found${more}`);
}

/** The format of the dataset at `p`, or a DatasetError saying why it is none of them. */
export async function detectFormat(p: string): Promise<DatasetFormat> {
  const st = await stat(p).catch(() => null);
  if (!st) throw new DatasetError(p, 'not found');
  return st.isDirectory() ? detectFolder(p) : detectFile(p);
}
