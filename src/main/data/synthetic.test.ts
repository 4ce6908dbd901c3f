import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, tempDir } from '../../../test/fixtures/data/builders';
import { evalSourceFrom } from './search-data';
import { SYNTHETIC_CLASSES, ensureSyntheticDataset } from './synthetic';

let tmp: string;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => cleanup(tmp));

/** Per-image standardised grey pixels. */
function features(x: Float32Array, i: number, per: number): Float64Array {
  const f = new Float64Array(per / 3);
  let m = 0;
  for (let p = 0; p < f.length; p++) m += f[p] = x[i * per + 3 * p]! + x[i * per + 3 * p + 1]! + x[i * per + 3 * p + 2]!;
  m /= f.length;
  let v = 0;
  for (let p = 0; p < f.length; p++) v += (f[p]! - m) ** 2;
  const s = Math.sqrt(v / f.length) || 1;
  for (let p = 0; p < f.length; p++) f[p] = (f[p]! - m) / s;
  return f;
}

describe('synthetic demo dataset', () => {
  it('is generated once, quickly, as a normal small cache entry, seeded', async () => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const ds = await ensureSyntheticDataset(tmp);
    const cpu = process.cpuUsage(cpu0);
    // < 2 s of CPU (wall time depends on what else the machine runs; only a loose bound on it)
    expect((cpu.user + cpu.system) / 1e6).toBeLessThan(2);
    expect(performance.now() - t0).toBeLessThan(10_000);
    const m = ds.manifest;
    expect([m.name, m.format, m.shape, m.classNames]).toEqual(['synthetic', 'synthetic', [32, 32, 3], SYNTHETIC_CLASSES]);
    expect(m.splits.train.perClass).toEqual(new Array(10).fill(200));
    expect(m.splits.test?.count).toBe(500);
    expect(m.bytes).toBeLessThan(10 * 1024 * 1024);
    const again = await ensureSyntheticDataset(tmp);
    expect(again.manifest.created).toBe(m.created);
    expect(await readdir(tmp)).toEqual(['synthetic']);
    const other = await tempDir();
    expect((await ensureSyntheticDataset(other)).manifest.source.sha256).toBe(m.source.sha256);
    await cleanup(other);
  });

  it('is learnable: even nearest class-mean on grey pixels is far above chance', async () => {
    const ds = await ensureSyntheticDataset(tmp);
    const per = 32 * 32 * 3;
    const train = await evalSourceFrom(ds, 'train').batch(0, 0, 2000);
    const test = await evalSourceFrom(ds, 'test').batch(0, 0, 500);
    const means = Array.from({ length: 10 }, () => new Float64Array(1024));
    for (let i = 0; i < train.n; i++) {
      const f = features(train.x, i, per);
      const m = means[train.y[i]!]!;
      for (let p = 0; p < 1024; p++) m[p]! += f[p]! / 200;
    }
    let right = 0;
    for (let i = 0; i < test.n; i++) {
      const f = features(test.x, i, per);
      let best = 0;
      let bestD = Infinity;
      means.forEach((m, k) => {
        let d = 0;
        for (let p = 0; p < 1024; p++) d += (f[p]! - m[p]!) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      });
      if (best === test.y[i]) right++;
    }
    expect(right / test.n).toBeGreaterThan(0.3); // chance: 0.1
  });
});
