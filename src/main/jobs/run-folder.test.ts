// writeFileAtomic under short writes and a full disk: the final name holds the whole new file or the old one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DiskFullError, isDiskFull } from './disk-full';
import { RunFolder, writeFileAtomic } from './run-folder';

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-atomic-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);
const realWrite = fs.writeSync.bind(fs) as (fd: number, b: Uint8Array, off?: number, len?: number) => number;

/** A disk that takes at most `chunk` bytes a call and `room` bytes in all, then answers ENOSPC (as Linux does). */
function disk(chunk: number, room = Infinity) {
  let left = room;
  return vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, b: Uint8Array, off = 0, len = b.length - off) => {
    if (left <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const n = Math.min(len, chunk, left);
    left -= n;
    return realWrite(fd, b, off, n);
  }) as never);
}

const leftovers = () => fs.readdirSync(dir).filter((n) => n.includes('.tmp-'));

describe('writeFileAtomic', () => {
  it('writes every byte when the system takes them in short pieces', () => {
    const file = path.join(dir, 'ckpt.nasw');
    const want = bytes(200_003);
    const spy = disk(65_536);
    writeFileAtomic(file, want);
    expect(spy.mock.calls.length).toBe(4); // 65,536 × 3 + 3,395
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(want))).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('on a full disk keeps the old file, removes the temporary one and says the disk is full', () => {
    const file = path.join(dir, 'metrics.jsonl');
    fs.writeFileSync(file, 'old\n');
    disk(65_536, 100_000);
    let err: unknown;
    try {
      writeFileAtomic(file, bytes(150_000));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DiskFullError);
    expect(isDiskFull(err)).toBe(true);
    expect((err as Error).message).toBe(`the disk is full: ${file} could not be written (100000 of 150000 bytes)`);
    expect(fs.readFileSync(file, 'utf8')).toBe('old\n');
    expect(leftovers()).toEqual([]);
  });

  it('never leaves a torn file under a new name', () => {
    const file = path.join(dir, 'checkpoints-e2.nasw');
    disk(65_536, 65_536);
    expect(() => writeFileAtomic(file, bytes(70_000))).toThrow(DiskFullError);
    expect(fs.existsSync(file)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('treats a write that makes no progress as a full disk instead of looping', () => {
    const file = path.join(dir, 'x.json');
    vi.spyOn(fs, 'writeSync').mockReturnValue(0);
    expect(() => writeFileAtomic(file, 'hello')).toThrow('the disk is full: ' + file + ' could not be written (0 of 5 bytes)');
    expect(fs.existsSync(file)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('passes other write errors on unchanged, still cleaning up', () => {
    const file = path.join(dir, 'y.json');
    vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    });
    expect(() => writeFileAtomic(file, 'hello')).toThrow(/^EIO: i\/o error, write$/);
    expect(leftovers()).toEqual([]);
  });
});

describe('RunFolder checkpoints on a full disk', () => {
  it('keeps the previous checkpoints whole and records nothing torn', () => {
    const folder = RunFolder.create(path.join(dir, 'run'), { a: 1 });
    const first = folder.writeCheckpoint(1, 0, bytes(100_000));
    disk(65_536, 65_536);
    expect(() => folder.writeCheckpoint(2, 0, bytes(100_000))).toThrow(DiskFullError);
    vi.restoreAllMocks();
    expect(folder.checkpoints().map((c) => [c.epoch, c.bytes])).toEqual([[1, 100_000]]);
    expect(first.bytes).toBe(100_000);
    expect(fs.readdirSync(path.join(dir, 'run', 'checkpoints'))).toEqual(['ckpt-e00001-s000000.nasw']);
  });
});
