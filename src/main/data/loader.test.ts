import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchDataSchema } from '../../shared/search-config';
import { cleanup, tempDir } from '../../../test/fixtures/data/builders';
import type { CachedDataset } from './cached-dataset';
import { writeCache } from './cache-writer';
import { SplitLoader } from './loader';
import { openDataset } from './registry';
import { evalSourceFrom, searchDataFrom } from './search-data';
import type { DatasetSource, RecordChunk, SourceEnd } from './source';
import { searchSplits } from './splits';

const N = 300;
const S = 6;

/** Image i is 6×6×1 with pixel (y, x) = (i + 40·x) mod 256 (asymmetric, so flips show), and label i. */
function indexedSource(hflip: boolean): DatasetSource {
  return {
    path: 'test:indexed',
    info: { format: 'synthetic', shape: [S, S, 1], numClasses: N, total: N + 10, hflip, options: {} },
    async *records(): AsyncGenerator<RecordChunk, SourceEnd> {
      for (const [split, n] of [['train', N], ['test', 10]] as const) {
        const images = new Uint8Array(n * S * S);
        for (let i = 0; i < n; i++) for (let p = 0; p < S * S; p++) images[i * S * S + p] = (i + 40 * (p % S)) % 256;
        yield { split, images, labels: Uint16Array.from({ length: n }, (_, i) => i), count: n, file: 'mem' };
      }
      return { classNames: Array.from({ length: N }, (_, i) => `c${i}`), sha256: '0'.repeat(64) };
    },
  };
}

let tmp: string;
let ds: CachedDataset;
let noFlip: CachedDataset;
beforeAll(async () => {
  tmp = await tempDir();
  await writeCache(tmp, 'indexed', indexedSource(true));
  await writeCache(tmp, 'noflip', indexedSource(false));
  ds = await openDataset(tmp, 'indexed');
  noFlip = await openDataset(tmp, 'noflip');
});
afterAll(async () => {
  await ds.close();
  await cleanup(tmp);
});

const cfg = (over: object = {}) => searchDataSchema.parse({ augment: { cropPadding: 2, flip: true, cutout: 3 }, ...over });

async function epochLabels(src: { stepsPerEpoch(b: number): number; batch(e: number, s: number, b: number): Promise<{ y: Int32Array }> }, epoch: number, bs: number): Promise<number[]> {
  const out: number[] = [];
  for (let s = 0; s < src.stepsPerEpoch(bs); s++) out.push(...(await src.batch(epoch, s, bs)).y);
  return out;
}

describe('search splits', () => {
  it('splits w and α disjointly, takes the discretization subset from α, and is fixed by the seed', () => {
    const s = searchSplits(1000, { wFraction: 0.5, alphaFraction: 0.3, discretizeImages: 5000 }, 7);
    expect([s.w.length, s.alpha.length, s.discretize.length]).toEqual([500, 300, 300]);
    const w = new Set(s.w);
    expect([...s.alpha].some((i) => w.has(i))).toBe(false);
    const a = new Set(s.alpha);
    expect([...s.discretize].every((i) => a.has(i))).toBe(true);
    expect(searchSplits(1000, { wFraction: 0.5, alphaFraction: 0.5, discretizeImages: 40 }, 7).discretize).toHaveLength(40);
    expect(searchSplits(1000, { wFraction: 0.5, alphaFraction: 0.3, discretizeImages: 5000 }, 7)).toEqual(s);
    expect(searchSplits(1000, { wFraction: 0.5, alphaFraction: 0.3, discretizeImages: 5000 }, 8).w).not.toEqual(s.w);
    expect(() => searchSplits(1, { wFraction: 0.5, alphaFraction: 0.5, discretizeImages: 1 }, 0)).toThrow(/too few/);
  });
});

describe('SplitLoader', () => {
  it('returns the same numbers whenever a batch is asked for, from any instance (resume)', async () => {
    const a = searchDataFrom(ds, cfg(), 3);
    const b = searchDataFrom(await openDataset(tmp, 'indexed'), cfg(), 3);
    const first = await a.w.batch(2, 1, 16);
    await a.w.batch(5, 0, 16); // another epoch in between
    const again = await a.w.batch(2, 1, 16);
    const fresh = await b.w.batch(2, 1, 16);
    expect(again.x).toEqual(first.x);
    expect(fresh.x).toEqual(first.x);
    expect(fresh.y).toEqual(first.y);
    expect((await a.w.batch(3, 1, 16)).y).not.toEqual(first.y);
  });

  it('visits each image of its part once per epoch, in a new order each epoch, the last batch short', async () => {
    const data = searchDataFrom(ds, cfg(), 1);
    expect(data.w.size).toBe(150);
    expect(data.w.stepsPerEpoch(64)).toBe(3);
    expect((await data.w.batch(0, 2, 64)).n).toBe(22);
    const e0 = await epochLabels(data.w, 0, 64);
    const e1 = await epochLabels(data.w, 1, 64);
    const w = [...searchSplits(N, cfg(), 1).w];
    expect([...e0].sort((x, y) => x - y)).toEqual(w);
    expect([...e1].sort((x, y) => x - y)).toEqual(w);
    expect(e1).not.toEqual(e0);
    const alpha = await epochLabels(data.alpha, 0, 64);
    expect(alpha.some((i) => w.includes(i))).toBe(false);
    await expect(data.w.batch(0, 3, 64)).rejects.toThrow(RangeError);
  });

  it('serves the discretization subset and the test split in order, normalised, unaugmented', async () => {
    const m = ds.manifest;
    const data = searchDataFrom(ds, cfg({ discretizeImages: 20 }), 1);
    expect(data.discretize.size).toBe(20);
    const d0 = await data.discretize.batch(0, 0, 20);
    expect([...d0.y]).toEqual([...searchSplits(N, cfg({ discretizeImages: 20 }), 1).discretize]);
    expect((await data.discretize.batch(9, 0, 20)).x).toEqual(d0.x);
    const test = evalSourceFrom(ds);
    const t = await test.batch(0, 0, 4);
    expect([...t.y]).toEqual([0, 1, 2, 3]);
    const px = (i: number, x: number) => (((i + 40 * x) % 256) / 255 - m.stats.mean[0]!) / m.stats.std[0]!;
    expect(t.x[S * S * 3 + 2]).toBeCloseTo(px(3, 2), 5);
    expect(t.shape).toEqual([S, S, 1]);
  });

  it('flips only where the manifest says flips keep the class', async () => {
    const flipOnly = cfg({ augment: { cropPadding: 0, flip: true, cutout: 0 } });
    const flippedRows = async (d: CachedDataset) => {
      const b = await searchDataFrom(d, flipOnly, 4).w.batch(0, 0, 64);
      let n = 0;
      const { mean, std } = d.manifest.stats;
      for (let i = 0; i < b.n; i++) {
        const first = Math.round((b.x[i * S * S]! * std[0]! + mean[0]!) * 255) + 0; // + 0: no -0
        if (first === (b.y[i]! + 40 * (S - 1)) % 256) n++; // the row's last pixel came first: flipped
        else expect(first).toBe(b.y[i]! % 256);
      }
      return n;
    };
    expect(await flippedRows(noFlip)).toBe(0);
    const n = await flippedRows(ds);
    expect(n).toBeGreaterThan(15);
    expect(n).toBeLessThan(49);
  });

  it('reads a large split by position with the same result as in memory', async () => {
    const onDisk = await openDataset(tmp, 'indexed', { inMemoryLimit: 0 });
    const a = await searchDataFrom(onDisk, cfg(), 3).alpha.batch(1, 0, 32);
    expect(await onDisk.split('train').inMemory()).toBe(false);
    expect(a.x).toEqual((await searchDataFrom(ds, cfg(), 3).alpha.batch(1, 0, 32)).x);
    await onDisk.close();
    const direct = new SplitLoader(ds.split('train'), { seed: 0, stream: 9, shuffle: false, mean: [0], std: [1], numClasses: N });
    expect(direct.size).toBe(N);
    await expect(direct.batch(0, 0, 0)).rejects.toThrow(RangeError);
    expect(path.basename(ds.dir)).toBe('indexed');
  });
});
