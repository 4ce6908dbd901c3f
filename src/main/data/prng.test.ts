import { describe, expect, it } from 'vitest';
import { Prng, mixSeed } from './prng';

describe('Prng', () => {
  it('replays the same stream for the same seed parts, and a different one otherwise', () => {
    const a = Prng.of(2, 1, 0, 5);
    const b = Prng.of(2, 1, 0, 5);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    const c = Prng.of(2, 1, 0, 6);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(seqA);
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
  });

  it('draws uniform values in range', () => {
    const r = new Prng(7);
    const counts = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = r.next();
      if (!(v >= 0 && v < 1)) outside++;
      counts[r.int(10)]++;
    }
    expect(outside).toBe(0);
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it('makes permutations', () => {
    const p = Prng.of(3).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p.subarray(0, 10)]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
