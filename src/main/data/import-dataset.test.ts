import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar10Files, cleanup, tempDir, writeFiles, writeIdx, writeImageFolder, writeTarGz } from '../../../test/fixtures/data/builders';
import type { ImportProgress } from './cache-writer';
import { importDataset } from './import-dataset';
import { deleteDataset, listDatasets, openDataset } from './registry';

let tmp: string;
let datasets: string;
beforeAll(async () => {
  tmp = await tempDir();
  datasets = path.join(tmp, 'home', 'datasets');
});
afterAll(() => cleanup(tmp));

/** Names in the datasets folder, hidden temp folders included. */
const entries = async () => (await readdir(datasets).catch(() => [] as string[])).sort();

describe('importDataset', () => {
  it('writes the compact cache and manifest, and registers it under its name', async () => {
    const { files, train, test } = cifar10Files(4);
    const archive = path.join(tmp, 'cifar-10-binary.tar.gz');
    await writeTarGz(archive, files.map((f) => ({ ...f, name: `cifar-10-batches-bin/${f.name}` })));
    const events: ImportProgress[] = [];
    const m = await importDataset(archive, datasets, { onProgress: (p) => events.push(p) });
    expect(m.name).toBe('cifar10');
    expect(m.format).toBe('cifar10');
    expect(m.shape).toEqual([32, 32, 3]);
    expect(m.splits.train.count).toBe(20);
    expect(m.splits.test?.count).toBe(4);
    expect(m.splits.train.perClass).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(m.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.hflip).toBe(true);
    // Statistics of the training pixels, computed directly.
    const all = Buffer.concat(train.map((t) => t.hwc));
    for (let c = 0; c < 3; c++) {
      const v = [...all.filter((_, i) => i % 3 === c)].map((x) => x / 255);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      expect(m.stats.mean[c]).toBeCloseTo(mean, 10);
      expect(m.stats.std[c]).toBeCloseTo(std, 10);
    }
    const dir = path.join(datasets, 'cifar10');
    expect(Buffer.compare(await readFile(path.join(dir, 'train.u8')), all)).toBe(0);
    expect(Buffer.compare(await readFile(path.join(dir, 'test.u8')), Buffer.from(test.hwc))).toBe(0);
    const labels = await readFile(path.join(dir, 'train.labels.u16'));
    expect(Array.from({ length: 20 }, (_, i) => labels.readUInt16LE(2 * i))).toEqual(train.flatMap((t) => t.labels));
    expect(m.thumbnails).toHaveLength(10);
    expect(m.thumbnails[3]).toHaveLength(2);
    const thumb = await sharp(path.join(dir, m.thumbnails[3]![0]!)).metadata();
    expect([thumb.width, thumb.height, thumb.format]).toEqual([32, 32, 'png']);
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(m);
    expect(events.some((e) => e.phase === 'reading' && e.file?.endsWith('data_batch_5.bin'))).toBe(true);
    expect(events.at(-1)).toMatchObject({ phase: 'done', images: 24 });
    expect(await entries()).toEqual(['cifar10']);
    expect((await listDatasets(datasets)).map((d) => d.name)).toEqual(['cifar10']);
    const ds = await openDataset(datasets, 'cifar10');
    expect(await ds.split('train').labels()).toEqual(Uint16Array.from(train.flatMap((t) => t.labels)));
    await expect(importDataset(archive, datasets)).rejects.toThrow(/a dataset named "cifar10" already exists/);
  });

  it('leaves nothing behind when the source turns out bad half-way', async () => {
    const { files } = cifar10Files(2);
    const bad = Buffer.from(files[4]!.data as Buffer);
    bad[0] = 99;
    files[4] = { ...files[4]!, data: bad };
    const dir = path.join(tmp, 'bad-cifar');
    await writeFiles(dir, files);
    const before = await entries();
    await expect(importDataset(dir, datasets, { name: 'bad' })).rejects.toThrow(/data_batch_5\.bin: record 0: label 99 is out of range/);
    expect(await entries()).toEqual(before);
  });

  it('cancels through an AbortSignal, leaving no partial cache', async () => {
    const dir = path.join(tmp, 'digits-idx');
    await writeIdx(dir, { train: 3000, test: 500, gzip: true });
    const before = await entries();
    const ac = new AbortController();
    let chunks = 0;
    const p = importDataset(dir, datasets, {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.split && ++chunks === 2) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(chunks).toBe(2);
    expect(await entries()).toEqual(before);
    const m = await importDataset(dir, datasets, { name: 'digits' });
    expect(m.splits.train.count).toBe(3000);
    expect(m.hflip).toBe(false);
    expect(m.thumbnails[0]).toHaveLength(3);
    const byFile = await importDataset(path.join(dir, 'train-images-idx3-ubyte.gz'), datasets);
    expect([byFile.name, byFile.source.sha256]).toEqual(['digits-idx', m.source.sha256]);
    await expect(importDataset(dir, datasets, { name: 'synthetic' })).rejects.toThrow(/kept for the generated demo dataset/);
  });

  it('imports an image folder under the folder name, and deletes it', async () => {
    const dir = path.join(tmp, 'my-pics');
    await writeImageFolder(dir, {
      'train/a': [{ width: 50, height: 50, channels: 3, format: 'jpeg' }],
      'train/b': [{ width: 50, height: 50, channels: 3, format: 'png' }],
      'test/a': [{ width: 50, height: 50, channels: 3, format: 'webp' }],
    });
    const m = await importDataset(dir, datasets, { size: 24 });
    expect([m.name, m.format, m.shape]).toEqual(['my-pics', 'folder', [24, 24, 3]]);
    expect(m.splits.test?.perClass).toEqual([1, 0]);
    expect(m.options).toMatchObject({ size: 24, fit: 'cover', test: 'folder' });
    expect((await stat(path.join(datasets, 'my-pics', 'train.u8'))).size).toBe(2 * 24 * 24 * 3);
    await deleteDataset(datasets, 'my-pics');
    expect(await entries()).not.toContain('my-pics');
    await expect(openDataset(datasets, 'my-pics')).rejects.toThrow(/no dataset named "my-pics"/);
    await expect(deleteDataset(datasets, '../etc')).rejects.toThrow(/not a valid dataset name/);
  });

  it('names a folder in any script by its letters, and lists and opens it under that name', async () => {
    const names: string[] = [];
    for (const folder of ['Fashion-MNIST-données', '手写数字']) {
      const dir = path.join(tmp, folder);
      await writeImageFolder(dir, { 'train/a': [{ width: 8, height: 8, channels: 1, format: 'png' }], 'train/b': [{ width: 8, height: 8, channels: 1, format: 'png' }] });
      names.push((await importDataset(dir, datasets, { size: 8 })).name);
    }
    expect(names).toEqual(['Fashion-MNIST-données', '手写数字']);
    const listed = (await listDatasets(datasets)).map((d) => d.name);
    for (const n of names) {
      expect(listed).toContain(n);
      expect((await openDataset(datasets, n)).manifest.name).toBe(n);
      await deleteDataset(datasets, n);
    }
  });
});
