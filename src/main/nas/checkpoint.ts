// Checkpoint bytes: a JSON header plus raw float32 tensors, CRC-checked; the host writes them to disk.

const MAGIC = 'NASWCKP1';
const VERSION = 1;

export interface TensorRecord {
  shape: number[];
  data: Float32Array;
}

export interface CheckpointContents<M = unknown> {
  /** Anything JSON: config, epoch, optimizer step counts, metrics history, code version. */
  meta: M;
  tensors: Map<string, TensorRecord>;
}

interface HeaderEntry {
  name: string;
  shape: number[];
  /** Offset in floats from the start of the data section. */
  offset: number;
  length: number;
}

/** Layout: magic(8) | version u32 | header length u32 | data CRC32 u32 | header JSON | pad to 4 | float32 data. */
export function encodeCheckpoint<M>(c: CheckpointContents<M>): Uint8Array {
  const entries: HeaderEntry[] = [];
  let floats = 0;
  for (const [name, t] of c.tensors) {
    const length = t.shape.reduce((a, b) => a * b, 1);
    if (length !== t.data.length) throw new Error(`checkpoint tensor ${name}: shape ${t.shape} does not match ${t.data.length} values`);
    entries.push({ name, shape: t.shape, offset: floats, length });
    floats += length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta: c.meta, tensors: entries }));
  const dataStart = align4(20 + header.length);
  const out = new Uint8Array(dataStart + floats * 4);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 20);
  const data = new Float32Array(out.buffer, dataStart, floats);
  for (const e of entries) data.set(c.tensors.get(e.name)!.data, e.offset);
  view.setUint32(16, crc32(out.subarray(dataStart)), true);
  return out;
}

export class CheckpointError extends Error {}

export function decodeCheckpoint<M = unknown>(bytes: Uint8Array): CheckpointContents<M> {
  if (bytes.length < 20 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new CheckpointError('not a NAS Workbench checkpoint (bad magic number)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw new CheckpointError(`checkpoint format version ${version} is not supported (expected ${VERSION})`);
  const headerLength = view.getUint32(12, true);
  if (20 + headerLength > bytes.length) throw new CheckpointError('checkpoint is truncated (header cut short)');
  let header: { meta: M; tensors: HeaderEntry[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + headerLength)));
  } catch {
    throw new CheckpointError('checkpoint header is corrupt');
  }
  const dataStart = align4(20 + headerLength);
  const floats = header.tensors.reduce((a, e) => Math.max(a, e.offset + e.length), 0);
  if (bytes.length !== dataStart + floats * 4) {
    throw new CheckpointError(`checkpoint is truncated or padded: ${bytes.length} bytes, expected ${dataStart + floats * 4}`);
  }
  if (crc32(bytes.subarray(dataStart)) !== view.getUint32(16, true)) throw new CheckpointError('checkpoint data is corrupt (CRC mismatch)');
  // Copy out so the result does not pin (or alias) the caller's buffer. `new Uint8Array(view)` always
  // copies into a fresh, aligned buffer; a Node Buffer's `slice` is a view whose `.buffer` is the whole slab.
  const data = new Float32Array(new Uint8Array(bytes.subarray(dataStart)).buffer);
  const tensors = new Map<string, TensorRecord>();
  for (const e of header.tensors) tensors.set(e.name, { shape: e.shape, data: data.subarray(e.offset, e.offset + e.length) });
  return { meta: header.meta, tensors };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE), to catch truncated or flipped bytes without the host's hashing. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
