// Real data end to end: Fashion-MNIST imported from Debian's package, then a tiny search and both discretizations on it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/main/data/import-dataset';
import { openDataset } from '../../src/main/data/registry';
import { searchDataFrom } from '../../src/main/data/search-data';
import { selectBackend } from '../../src/main/nas/backend';
import { discretizeCheckpoint } from '../../src/main/nas/discretize/discretize-checkpoint';
import { runSearch, type SearchEvent } from '../../src/main/nas/search';
import { validateGenotype } from '../../src/shared/genotype-text';
import { searchConfig } from '../../src/shared/search-config';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
let dir: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz'))) {
    throw new Error(`${FASHION_DIR} is missing: install Debian's dataset-fashion-mnist package; this test does not skip`);
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-fmnist-'));
  await importDataset(FASHION_DIR, dir, { name: 'fashion' });
  await selectBackend('wasm');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a tiny search on a slice of Fashion-MNIST', () => {
  it('trains (loss falls), records metrics, and discretizes both ways to valid genotypes', async () => {
    const config = searchConfig({
      space: { ops: ['none', 'max_pool_3x3', 'skip_connect', 'sep_conv_3x3'], cells: 3, channels: 8, nodes: 2 },
      epochs: 3,
      batchSize: 32,
      stepsPerEpoch: 6,
      alpha: { freezeEpochs: 1 },
      backend: 'wasm',
      data: { dataset: 'fashion', discretizeImages: 64, augment: { flip: false } },
    });
    const data = searchDataFrom(await openDataset(dir, 'fashion'), config.data, config.seed);
    expect(data.w.shape).toEqual([28, 28, 1]);
    const epochs: Extract<SearchEvent, { type: 'epoch' }>[] = [];
    for await (const e of runSearch({ config, data })) if (e.type === 'epoch') epochs.push(e);
    expect(epochs).toHaveLength(3);
    // Real images carry signal: the training loss drops from chance (ln 10 ≈ 2.30).
    expect(epochs[2]!.metrics.trainLoss).toBeLessThan(epochs[0]!.metrics.trainLoss);
    expect(epochs[2]!.metrics.trainAcc).toBeGreaterThan(0.2);
    for (const method of ['value', 'decorrelation'] as const) {
      const r = await discretizeCheckpoint({ checkpoint: epochs[2]!.checkpoint, method, data: data.discretize });
      validateGenotype(r.genotype, { ops: config.space.ops });
      expect(r.genotype.normal).toHaveLength(4);
      expect(r.genotype.normal.some((e) => e.op === 'none')).toBe(false);
      if (method === 'decorrelation') expect(r.images).toBe(64);
    }
  });
});
