// One cached split on disk: its uint8 NHWC images (read whole into memory, or by position when large) and labels.
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import { DatasetError } from './errors';

/** Splits up to this size are read whole into memory; larger ones are read image by image. */
export const IN_MEMORY_LIMIT = 1 << 30;

export class SplitStore {
  /** Bytes of one image. */
  readonly imageBytes: number;
  private images?: Promise<Uint8Array | FileHandle>;
  private labelsP?: Promise<Uint16Array>;

  constructor(
    readonly imagesFile: string,
    readonly labelsFile: string,
    readonly count: number,
    readonly shape: readonly [number, number, number],
    private readonly inMemoryLimit = IN_MEMORY_LIMIT,
  ) {
    this.imageBytes = shape[0] * shape[1] * shape[2];
  }

  /** Every label (uint16 little-endian on disk). */
  labels(): Promise<Uint16Array> {
    this.labelsP ??= (async () => {
      const buf = await readFile(this.labelsFile).catch((err: unknown) => {
        throw new DatasetError(this.labelsFile, `cannot read the cached labels (${(err as Error).message})`, { cause: err });
      });
      if (buf.length !== this.count * 2) throw new DatasetError(this.labelsFile, `cache file has ${buf.length} bytes, expected ${this.count * 2}: re-import the dataset`);
      const out = new Uint16Array(this.count);
      for (let i = 0; i < this.count; i++) out[i] = buf.readUInt16LE(2 * i);
      return out;
    })();
    return this.labelsP;
  }

  private source(): Promise<Uint8Array | FileHandle> {
    this.images ??= (async () => {
      const expected = this.count * this.imageBytes;
      const st = await stat(this.imagesFile).catch((err: unknown) => {
        throw new DatasetError(this.imagesFile, `cannot read the cached images (${(err as Error).message})`, { cause: err });
      });
      if (st.size !== expected) throw new DatasetError(this.imagesFile, `cache file has ${st.size} bytes, expected ${expected}: re-import the dataset`);
      if (expected <= this.inMemoryLimit) {
        const buf = await readFile(this.imagesFile);
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      }
      return open(this.imagesFile, 'r');
    })();
    return this.images;
  }

  /** Whether the images are held in memory (after the first read). */
  async inMemory(): Promise<boolean> {
    return (await this.source()) instanceof Uint8Array;
  }

  /** Copy the images at `indices`, in that order, into `out` (length ≥ indices.length × imageBytes). */
  async gather(indices: ArrayLike<number>, out: Uint8Array): Promise<void> {
    const src = await this.source();
    const b = this.imageBytes;
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      if (!(k >= 0 && k < this.count)) throw new RangeError(`image index ${k} outside 0..${this.count - 1}`);
    }
    if (src instanceof Uint8Array) {
      for (let i = 0; i < indices.length; i++) out.set(src.subarray(indices[i]! * b, (indices[i]! + 1) * b), i * b);
      return;
    }
    // Positional reads, one per run of consecutive indices.
    let i = 0;
    while (i < indices.length) {
      let j = i + 1;
      while (j < indices.length && indices[j] === indices[j - 1]! + 1) j++;
      let at = i * b;
      let left = (j - i) * b;
      let pos = indices[i]! * b;
      while (left > 0) {
        const { bytesRead } = await src.read(out, at, left, pos);
        if (bytesRead === 0) throw new DatasetError(this.imagesFile, 'cache file ended early: re-import the dataset');
        at += bytesRead;
        left -= bytesRead;
        pos += bytesRead;
      }
      i = j;
    }
  }

  /** Release the file handle of a large split. */
  async close(): Promise<void> {
    const src = await this.images?.catch(() => null);
    this.images = undefined;
    if (src && !(src instanceof Uint8Array)) await src.close();
  }
}

/** Labels as uint16 little-endian bytes, whatever the platform's byte order. */
export function labelsToBytes(labels: Uint16Array): Uint8Array {
  if (os.endianness() === 'LE') return new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength);
  const out = Buffer.alloc(labels.length * 2);
  for (let i = 0; i < labels.length; i++) out.writeUInt16LE(labels[i]!, 2 * i);
  return out;
}
