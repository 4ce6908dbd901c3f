// Real data: the Fashion-MNIST IDX files from Debian's dataset-fashion-mnist package (CI installs it; a missing file fails).
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, tempDir } from '../../../test/fixtures/data/builders';
import { importDataset } from './import-dataset';
import type { DatasetManifest } from './manifest';
import { FASHION_MNIST_CLASSES } from './idx';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

let tmp: string;
let m: DatasetManifest;
beforeAll(async () => {
  for (const f of FILES) {
    await access(path.join(FASHION_DIR, f)).catch(() => {
      throw new Error(`${path.join(FASHION_DIR, f)} is missing: install Debian's dataset-fashion-mnist package (apt-get install -y dataset-fashion-mnist); this test does not skip`);
    });
  }
  tmp = await tempDir();
  m = await importDataset(FASHION_DIR, tmp);
});
afterAll(() => cleanup(tmp));

describe('Fashion-MNIST (real data)', () => {
  it('imports 60,000 + 10,000 images of 28×28×1 in 10 balanced classes', () => {
    expect(m.name).toBe('fashion-mnist');
    expect(m.format).toBe('idx');
    expect(m.shape).toEqual([28, 28, 1]);
    expect(m.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(m.splits.train.count).toBe(60_000);
    expect(m.splits.test?.count).toBe(10_000);
    expect(m.splits.train.perClass).toEqual(new Array(10).fill(6000));
    expect(m.splits.test?.perClass).toEqual(new Array(10).fill(1000));
    expect(m.thumbnails.every((t) => t.length === 3)).toBe(true);
  });

  it('has the published pixel statistics (mean 0.2860, std 0.3530), matching a direct count over the cache', async () => {
    const px = await readFile(path.join(tmp, m.name, m.splits.train.images));
    expect(px.length).toBe(60_000 * 784);
    let s = 0;
    let q = 0;
    for (let i = 0; i < px.length; i++) {
      const v = px[i]! / 255;
      s += v;
      q += v * v;
    }
    const mean = s / px.length;
    const std = Math.sqrt(q / px.length - mean * mean);
    expect(m.stats.mean[0]).toBeCloseTo(mean, 9);
    expect(m.stats.std[0]).toBeCloseTo(std, 9);
    expect(Math.abs(m.stats.mean[0]! - 0.286)).toBeLessThan(1e-3);
    expect(Math.abs(m.stats.std[0]! - 0.353)).toBeLessThan(1e-3);
  });
});
