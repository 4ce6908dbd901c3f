import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar100Files, cifar10Files, cifarRecords, cleanup, tempDir, writeFiles, writeTarGz, type FileSpec } from '../../../test/fixtures/data/builders';
import { openCifarSource } from './cifar';
import { DatasetError } from './errors';
import type { RecordChunk, SourceEnd } from './source';

async function readAll(format: 'cifar10' | 'cifar100', p: string) {
  const src = await openCifarSource(format, p);
  const chunks: RecordChunk[] = [];
  const it = src.records({});
  let end: SourceEnd;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      end = r.value;
      break;
    }
    chunks.push(r.value);
  }
  const of = (split: string) => {
    const cs = chunks.filter((c) => c.split === split);
    return { images: Buffer.concat(cs.map((c) => c.images)), labels: cs.flatMap((c) => [...c.labels]) };
  };
  return { src, end, train: of('train'), test: of('test') };
}

const prefixed = (dir: string, files: FileSpec[]) => files.map((f) => ({ ...f, name: `${dir}/${f.name}` }));

let tmp: string;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => cleanup(tmp));

describe('CIFAR-10 binary', () => {
  it('reads the extracted folder (or its parent) in canonical order, CHW planes → HWC', async () => {
    const { files, train, test } = cifar10Files(3);
    const dir = path.join(tmp, 'c10', 'cifar-10-batches-bin');
    await writeFiles(dir, files);
    for (const p of [dir, path.dirname(dir)]) {
      const r = await readAll('cifar10', p);
      expect(r.src.info.shape).toEqual([32, 32, 3]);
      expect(r.src.info.total).toBe(18);
      expect(r.train.labels).toEqual(train.flatMap((t) => t.labels));
      expect(Buffer.compare(r.train.images, Buffer.concat(train.map((t) => t.hwc)))).toBe(0);
      expect(Buffer.compare(r.test.images, Buffer.from(test.hwc))).toBe(0);
      expect(r.end.classNames[0]).toBe('airplane');
      expect(r.end.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('reads the .tar.gz, keeping data_batch_1..5 order even when the archive stores them shuffled', async () => {
    const { files, train, test } = cifar10Files(2);
    const shuffled = [files[3]!, files[5]!, files[0]!, files[6]!, files[4]!, files[1]!, files[2]!];
    const archive = path.join(tmp, 'cifar-10-binary.tar.gz');
    await writeTarGz(archive, prefixed('cifar-10-batches-bin', shuffled));
    const r = await readAll('cifar10', archive);
    expect(r.train.labels).toEqual(train.flatMap((t) => t.labels));
    expect(Buffer.compare(r.train.images, Buffer.concat(train.map((t) => t.hwc)))).toBe(0);
    expect(Buffer.compare(r.test.images, Buffer.from(test.hwc))).toBe(0);
    expect(r.end.sha256).toBe(createHash('sha256').update(await readFile(archive)).digest('hex'));
  });

  it('rejects a truncated batch, naming the file', async () => {
    const { files } = cifar10Files(2);
    const dir = path.join(tmp, 'trunc');
    files[2] = { name: files[2]!.name, data: (files[2]!.data as Buffer).subarray(0, 3073 + 100) };
    await writeFiles(dir, files);
    await expect(readAll('cifar10', dir)).rejects.toThrow(/data_batch_3\.bin: truncated: 100 bytes after 1 whole records/);
  });

  // Cut at a record boundary (no partial bytes): the binary format has no count, but the six CIFAR-10
  // batch files each hold the same number of records (10,000 published), so a shorter one is truncated.
  it('rejects a batch missing exactly its last record, from the folder and the archive', async () => {
    for (const k of [2, 0, 5]) {
      const { files } = cifar10Files(3);
      const name = files[k]!.name;
      files[k] = { name, data: (files[k]!.data as Buffer).subarray(0, 3073 * 2) };
      const dir = path.join(tmp, `short-${k}`);
      await writeFiles(dir, files);
      const other = k === 0 ? 'data_batch_2.bin' : 'data_batch_1.bin';
      const said = `truncated: 2 records where ${other} holds 3 (each CIFAR-10 batch file holds the same number of records, 10,000 in the published set)`;
      const err = await readAll('cifar10', dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as DatasetError).file).toBe(path.join(dir, name));
      expect((err as DatasetError).problem).toBe(said);
      const archive = path.join(tmp, `short-${k}.tar.gz`);
      await writeTarGz(archive, prefixed('cifar-10-batches-bin', files));
      const err2 = await readAll('cifar10', archive).catch((e: unknown) => e);
      expect((err2 as DatasetError).file).toBe(`${archive}:${name}`);
      expect((err2 as DatasetError).problem).toBe(said);
    }
  });

  it('rejects a label out of range', async () => {
    const { files } = cifar10Files(2);
    const bad = Buffer.from(files[0]!.data as Buffer);
    bad[3073] = 10;
    files[0] = { name: files[0]!.name, data: bad };
    const dir = path.join(tmp, 'label');
    await writeFiles(dir, files);
    const err = await readAll('cifar10', dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).file).toBe(path.join(dir, 'data_batch_1.bin'));
    expect((err as DatasetError).problem).toMatch(/record 1: label 10 is out of range 0..9/);
  });

  it('rejects a folder missing batches, and an archive without the expected members', async () => {
    const { files } = cifar10Files(1);
    const dir = path.join(tmp, 'missing');
    await writeFiles(dir, files.filter((f) => f.name !== 'data_batch_4.bin'));
    await expect(openCifarSource('cifar10', dir)).rejects.toThrow(/missing data_batch_4\.bin/);
    const archive = path.join(tmp, 'partial.tar.gz');
    await writeTarGz(archive, prefixed('cifar-10-batches-bin', files.filter((f) => f.name !== 'data_batch_2.bin' && f.name !== 'test_batch.bin')));
    await expect(readAll('cifar10', archive)).rejects.toThrow(/partial\.tar\.gz: archive lacks the CIFAR-10 binary version members data_batch_2\.bin, test_batch\.bin/);
  });

  it('rejects a names file with the wrong number of classes', async () => {
    const { files } = cifar10Files(1, false);
    const dir = path.join(tmp, 'names');
    await writeFiles(dir, [...files, { name: 'batches.meta.txt', data: 'a\nb\n' }]);
    await expect(readAll('cifar10', dir)).rejects.toThrow(/batches\.meta\.txt: lists 2 class names, expected 10/);
  });

  it('rejects a corrupt archive', async () => {
    const archive = path.join(tmp, 'corrupt.tar.gz');
    await writeFile(archive, Buffer.from('not gzip at all'));
    await expect(readAll('cifar10', archive)).rejects.toThrow(/corrupt\.tar\.gz: not a valid or complete gzip file/);
  });
});

describe('CIFAR-100 binary', () => {
  it('uses the fine label and fine_label_names.txt, from the folder and the archive', async () => {
    const { files, train, test } = cifar100Files(5, 3);
    const dir = path.join(tmp, 'c100', 'cifar-100-binary');
    await writeFiles(dir, files);
    const archive = path.join(tmp, 'cifar-100-binary.tar.gz');
    await writeTarGz(archive, prefixed('cifar-100-binary', files));
    for (const p of [path.dirname(dir), archive]) {
      const r = await readAll('cifar100', p);
      expect(r.src.info.numClasses).toBe(100);
      expect(r.train.labels).toEqual(train.labels);
      expect(r.test.labels).toEqual(test.labels);
      expect(Buffer.compare(r.train.images, Buffer.from(train.hwc))).toBe(0);
      expect(r.end.classNames).toHaveLength(100);
      expect(r.end.classNames[7]).toBe('fine7');
    }
  });

  it('rejects a coarse label out of range', async () => {
    const rec = cifarRecords('cifar100', 2);
    rec.bytes[3074] = 20;
    const dir = path.join(tmp, 'c100bad');
    await writeFiles(dir, [
      { name: 'train.bin', data: rec.bytes },
      { name: 'test.bin', data: rec.bytes },
    ]);
    await expect(readAll('cifar100', dir)).rejects.toThrow(/train\.bin: record 1: coarse label 20 is out of range 0..19/);
  });
});
