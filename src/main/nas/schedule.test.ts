import { describe, expect, it } from 'vitest';
import { cosineLr, exponentialLr } from './schedule';

describe('cosineLr', () => {
  it('matches the reference values at the paper defaults (0.025 → 0.001 over 50 epochs)', () => {
    expect(cosineLr(0, 50, 0.025, 0.001)).toBeCloseTo(0.025, 12);
    // darts-reference.md: epoch 49 → 1.023679e-03
    expect(cosineLr(49, 50, 0.025, 0.001)).toBeCloseTo(1.023679e-3, 9);
    expect(cosineLr(25, 50, 0.025, 0.001)).toBeCloseTo(0.013, 12);
  });
  it('decays monotonically', () => {
    for (let e = 1; e < 50; e++) expect(cosineLr(e, 50, 0.025, 0.001)).toBeLessThan(cosineLr(e - 1, 50, 0.025, 0.001));
  });
});

describe('exponentialLr', () => {
  it('multiplies by gamma each epoch', () => {
    expect(exponentialLr(0, 0.1, 0.97)).toBe(0.1);
    expect(exponentialLr(2, 0.1, 0.97)).toBeCloseTo(0.1 * 0.97 * 0.97, 15);
  });
});
