import { describe, expect, it } from 'vitest';
import { Rng } from './random';

describe('Rng', () => {
  it('is deterministic and resumable from its state', () => {
    const a = new Rng(42);
    a.next();
    a.next();
    const b = new Rng(0);
    b.state = a.state;
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(Array.from({ length: 5 }, () => a.next()));
  });
  it('gives uniform-looking values and roughly standard normals', () => {
    const r = new Rng(7);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.04);
  });
  it('derives different streams for different parts', () => {
    expect(Rng.derive(1, 0, 0).next()).not.toBe(Rng.derive(1, 0, 1).next());
    expect(Rng.derive(1, 3, 4).next()).toBe(Rng.derive(1, 3, 4).next());
  });
  it('permutation is a permutation', () => {
    const p = new Rng(3).permutation(100);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
