import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED_GENOTYPES } from '../../shared/published-genotypes';
import { Rng } from '../../shared/random';
import { auxiliaryGeometry } from './auxiliary-head';
import { EvalNetwork } from './eval-network';
import { useBackend } from './testing/backends';

beforeAll(() => useBackend('cpu'));

describe('the auxiliary head geometry', () => {
  it("keeps the reference's windows where they fit: 5×5 stride 3 on CIFAR's 8×8, stride 2 on ImageNet's 7×7", () => {
    expect(auxiliaryGeometry('cifar', 8, 8)).toEqual({ pool: 5, stride: 3, pooled: [2, 2], out: [1, 1] });
    expect(auxiliaryGeometry('imagenet', 7, 7)).toEqual({ pool: 5, stride: 2, pooled: [2, 2], out: [1, 1] });
  });

  it('narrows the stride, then the window, on smaller maps so the 2×2 conv still has a 2×2 input', () => {
    // 28×28 images (Fashion-MNIST) leave 7×7 after two reductions: windows [0,5) and [2,7), the ImageNet head's.
    expect(auxiliaryGeometry('cifar', 7, 7)).toEqual({ pool: 5, stride: 2, pooled: [2, 2], out: [1, 1] });
    expect(auxiliaryGeometry('cifar', 6, 6)).toEqual({ pool: 5, stride: 1, pooled: [2, 2], out: [1, 1] });
    expect(auxiliaryGeometry('cifar', 4, 4)).toEqual({ pool: 3, stride: 1, pooled: [2, 2], out: [1, 1] });
    expect(auxiliaryGeometry('cifar', 2, 2)).toEqual({ pool: 1, stride: 1, pooled: [2, 2], out: [1, 1] });
  });

  it('refuses a 1-pixel map, naming the switch that turns the head off', () => {
    expect(() => auxiliaryGeometry('cifar', 1, 1)).toThrow(/at least 2×2 .* got 1×1.*--no-auxiliary/);
  });
});

it('the CIFAR recipe network trains with its auxiliary head on 28×28 greyscale images', () => {
  const net = new EvalNetwork(
    { genotype: PUBLISHED_GENOTYPES.DARTS_V2, cells: 3, channels: 4, numClasses: 10, inputShape: [28, 28, 1], stem: 'cifar', auxiliary: true },
    new Rng(0),
  );
  try {
    const shapes = tf.tidy(() => {
      const out = net.forward(tf.randomNormal([2, 28, 28, 1]) as tf.Tensor4D, { training: true });
      return [out.logits.shape, out.auxLogits?.shape];
    });
    expect(shapes).toEqual([
      [2, 10],
      [2, 10],
    ]);
  } finally {
    net.dispose();
  }
});
