// Convolution shape arithmetic vs PyTorch's sizes and plain-JS padding.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends';
import { adjointAxisPads, convOutSize, padOrCrop, splitPads } from './conv-geometry';

describe('convOutSize', () => {
  it.each([
    // size, k, stride, dilation, pad, PyTorch's output size
    [32, 3, 1, 1, 1, 32],
    [32, 3, 2, 1, 1, 16],
    [7, 3, 2, 1, 1, 4],
    [8, 5, 2, 1, 2, 4],
    [7, 5, 2, 2, 4, 4],
    [8, 3, 2, 2, 2, 4],
    [8, 1, 2, 1, 0, 4],
    [7, 1, 2, 1, 0, 4],
    [2, 2, 1, 1, 0, 1],
    [8, 5, 3, 1, 0, 2],
  ])('size %i, k %i, stride %i, dilation %i, pad %i → %i', (size, k, s, d, p, out) => {
    expect(convOutSize(size, k, s, d, p, p)).toBe(out);
  });
});

describe('adjointAxisPads', () => {
  it('gives the same-padding pads back for a stride-1 "same" conv', () => {
    expect(adjointAxisPads(32, 3, 1, 1, 32)).toEqual([1, 1]);
    expect(adjointAxisPads(32, 5, 2, 4, 32)).toEqual([4, 4]);
  });
  it('turns pads beyond the kernel reach into crops, and covers x exactly', () => {
    // x 7, k 3, pad 3: y has 11 outputs; dx = conv of 11 values with pads (−1, −1) → 11 − 2 + 1 − 3 = 7.
    const [lead, trail] = adjointAxisPads(7, 3, 1, 3, 11);
    expect([lead, trail]).toEqual([-1, -1]);
    expect(lead + 11 + trail - 2).toBe(7);
  });
});

describe('padOrCrop', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  it('zero-pads positive sides and crops negative ones', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const y = padOrCrop(x, { top: 1, bottom: -1, left: -2, right: 1 });
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 3, 0]);
    expect(splitPads({ top: 1, bottom: -1, left: -2, right: 0 })).toEqual({
      pad: { top: 1, bottom: 0, left: 0, right: 0 },
      crop: { top: 0, bottom: 1, left: 2, right: 0 },
    });
    tf.dispose([x, y]);
  });
});
