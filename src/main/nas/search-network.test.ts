import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetSpace, searchSpaceSchema } from '../../shared/search-space';
import { Rng } from '../../shared/random';
import { Architecture } from './architecture';
import { SearchNetwork } from './search-network';
import { useBackend } from './testing/backends';

beforeAll(() => useBackend('cpu'));

describe('SearchNetwork', () => {
  it('has exactly the reference supernet parameter count: 1.930618 M at 8 cells / 16 channels / S1 / 10 classes', () => {
    for (const nodeNormalization of [false, true]) {
      const net = new SearchNetwork(
        { space: presetSpace('S1'), numClasses: 10, inputShape: [32, 32, 3], nodeNormalization, stem: 'cifar', stemMultiplier: 3 },
        new Rng(0),
      );
      // α lives in Architecture, so it is excluded; node normalization is non-affine and adds nothing.
      expect(net.params.count()).toBe(1930618);
      net.dispose();
    }
  });

  it('matches a hand count for a small S3 network (2 cells, 8 channels, 3 nodes)', () => {
    const space = searchSpaceSchema.parse({ ops: ['none', 'skip_connect', 'sep_conv_3x3'], cells: 2, channels: 8, nodes: 3 });
    const net = new SearchNetwork({ space, numClasses: 4, inputShape: [8, 8, 3], nodeNormalization: true, stem: 'cifar', stemMultiplier: 3 }, new Rng(0));
    // Both cells are reductions (cells//3 = 0, 2·cells//3 = 1), C = 16 then 32.
    // stem: 3·3·3·24 + BN 2·24 = 696.
    // Each cell: preprocessing, 9 edges of which 6 (inputs 0 and 1 of each node) are strided.
    const sep = (C: number) => 2 * (9 * C + C * C);
    const fr = (C: number) => C * C; // two 1×1 convs C → C/2, BN non-affine
    const cell = (C: number, cpp: number, cp: number) => {
      const strided = 6; // edges from inputs 0 and 1 of the 3 nodes
      const plain = 9 - strided;
      const pre = cpp * C + cp * C; // ReLUConvBN or FactorizedReduce: both cpp·C weights
      return pre + strided * (sep(C) + fr(C)) + plain * sep(C);
    };
    const expected = 696 + cell(16, 24, 24) + cell(32, 24, 48) + (96 * 4 + 4);
    expect(net.params.count()).toBe(expected);
    net.dispose();
  });

  it('runs forward to [N, classes] logits without leaking tensors', () => {
    const space = searchSpaceSchema.parse({ cells: 3, channels: 4, nodes: 2 });
    const net = new SearchNetwork({ space, numClasses: 5, inputShape: [8, 8, 3], nodeNormalization: true, stem: 'cifar', stemMultiplier: 3 }, new Rng(1));
    const arch = new Architecture(space, new Rng(2));
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const run = () => tf.tidy(() => net.forward(x, arch.weights(), { training: true }).shape);
    expect(run()).toEqual([2, 5]);
    const before = tf.memory().numTensors;
    run();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    net.dispose();
    arch.dispose();
  });

  it('initialises α at 1e-3·N(0,1): softmax ≈ 1/8 per op', async () => {
    const arch = new Architecture(presetSpace('S1'), new Rng(5));
    const w = await arch.softmaxArrays();
    expect(w.normal).toHaveLength(14);
    for (const row of [...w.normal, ...w.reduce]) for (const v of row) expect(Math.abs(v - 0.125)).toBeLessThan(1e-3);
    arch.dispose();
  });
});
