// The fused wasm cell against the layer-by-layer path (each op differentiated by tfjs through its tested custom gradient).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { searchSpaceSchema, type SearchSpaceInput } from '../../shared/search-space';
import { Rng } from '../../shared/random';
import { searchConfig } from '../../shared/search-config';
import { Architecture } from './architecture';
import { GramProbe } from './discretize/gram-probe';
import { savedHolderCount } from './kernels/saved-tensors';
import { crossEntropy } from './loss';
import { alphaStep, weightStep } from './search';
import { setRecomputeThreshold } from './search-cell-fused';
import { SearchNetwork } from './search-network';
import { SearchState } from './search-state';
import { useBackend } from './testing/backends';

beforeAll(() => useBackend('wasm'));

/** max |a − b| / max |b| over a tensor: float32 paths of different summation order agree to ~1e-5 of the scale. */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let num = 0;
  let den = floor;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

interface Setup {
  space: SearchSpaceInput;
  input: [number, number, number];
  nodeNormalization: boolean;
  why: string;
  /** The backward recomputes depthwise and pooling outputs from this activation size (default: never here). */
  recompute?: number;
}

const SETUPS: Setup[] = [
  { space: { cells: 3, channels: 8, nodes: 2 }, input: [16, 16, 3], nodeNormalization: true, why: 'S1, 3 cells (both reductions, FactorizedReduce), node normalization' },
  { space: { cells: 2, channels: 8, nodes: 3 }, input: [12, 12, 3], nodeNormalization: false, why: 'S1, reduction cells only, no node normalization' },
  { space: { ops: ['none', 'skip_connect', 'sep_conv_3x3', 'avg_pool_3x3'], cells: 4, channels: 16, nodes: 2 }, input: [8, 8, 1], nodeNormalization: true, why: 'a 4-op space, one normal cell after a reduction' },
  { space: { cells: 3, channels: 8, nodes: 2 }, input: [16, 16, 3], nodeNormalization: true, why: 'S1, the backward recomputing depthwise and pooling outputs', recompute: 0 },
];

function build(s: Setup) {
  const space = searchSpaceSchema.parse(s.space);
  const net = new SearchNetwork({ space, numClasses: 5, inputShape: s.input, nodeNormalization: s.nodeNormalization, stem: 'cifar', stemMultiplier: 3 }, new Rng(3));
  const arch = new Architecture(space, new Rng(4));
  // Give α some spread, so every op's weight matters differently.
  for (const v of arch.variables) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 9));
  return { net, arch };
}

describe('fused search cell on wasm', () => {
  for (const s of SETUPS) {
    it(`matches the layer-by-layer gradients and running statistics: ${s.why}`, async () => {
      setRecomputeThreshold(s.recompute ?? Infinity);
      const a = build(s);
      const b = build(s);
      expect(a.net.cells.every((c) => c.usesFusedKernels)).toBe(true);
      const x = tf.randomNormal([4, ...s.input], 0, 1, 'float32', 5) as tf.Tensor4D;
      const y = tf.tensor1d([0, 1, 2, 3], 'int32');
      const grads = (m: { net: SearchNetwork; arch: Architecture }, reference: boolean) => {
        let out!: { loss: number; g: (Float64Array | null)[] };
        tf.tidy(() => {
          const vars = [...m.net.params.trainable.values(), ...m.arch.variables];
          const { value, grads } = tf.variableGrads(() => crossEntropy(m.net.forward(x, m.arch.weights(), { training: true }, undefined, reference), y), vars);
          // A reduction-only network never reads α_normal: no gradient on either path.
          out = { loss: value.dataSync()[0]!, g: vars.map((v) => (grads[v.name] ? Float64Array.from(grads[v.name]!.dataSync()) : null)) };
        });
        return out;
      };
      const ref = grads(a, true);
      const fused = grads(b, false);
      expect(savedHolderCount()).toBe(0);
      expect(Math.abs(fused.loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.loss)));
      const names = [...a.net.params.trainable.keys(), 'alpha_normal', 'alpha_reduce'];
      ref.g.forEach((g, i) => {
        expect(fused.g[i] === null, names[i]).toBe(g === null);
        if (!g) return;
        const err = scaledError(fused.g[i]!, g);
        if (err > 2e-4) throw new Error(`${names[i]}: gradient differs by ${err.toExponential(2)} of its scale`);
      });
      // Running statistics (the mean of a sum of batch-normalised outputs is 0 up to rounding: an absolute floor).
      for (const [name, v] of a.net.params.buffers) {
        expect(scaledError(b.net.params.buffers.get(name)!.dataSync(), v.dataSync(), 1e-2), name).toBeLessThan(1e-4);
      }
      // Evaluation mode (running statistics) and the discretization probe see the same values.
      const evalOut = async (m: { net: SearchNetwork; arch: Architecture }, reference: boolean) => {
        const probe = new GramProbe(m.net.options.space.nodes, m.net.options.space.ops);
        const t = tf.tidy(() => m.net.forward(x, m.arch.weights(), { training: false }, probe, reference));
        await probe.flush();
        const logits = Float64Array.from(t.dataSync());
        t.dispose();
        return { logits, grams: [...probe.grams.values()] };
      };
      const er = await evalOut(a, true);
      const ef = await evalOut(b, false);
      expect(er.grams).toHaveLength(a.net.cells.length);
      expect(scaledError(ef.logits, er.logits)).toBeLessThan(1e-4);
      er.grams.forEach((g, i) => expect(scaledError(ef.grams[i]!, g)).toBeLessThan(1e-4));
      tf.dispose([x, y]);
      for (const m of [a, b]) {
        m.net.dispose();
        m.arch.dispose();
      }
      setRecomputeThreshold(2 * 1024 * 1024);
    });
  }

  it('the α step skips the weight gradients without changing α', async () => {
    const config = searchConfig({ space: { cells: 3, channels: 8, nodes: 2 }, batchSize: 4, alpha: { freezeEpochs: 0 } });
    const a = new SearchState(config, [8, 8, 3], 4);
    const b = new SearchState(config, [8, 8, 3], 4);
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    await alphaStep(a, x, y);
    // b: the same step by hand, every gradient of the custom op computed.
    tf.tidy(() => {
      const vars = [...b.alphaVars.values()];
      const { grads } = tf.variableGrads(() => crossEntropy(b.net.forward(x, b.arch.weights(), { training: true }), y), vars);
      b.adam.step(new Map([...b.alphaVars].map(([name, v]) => [name, grads[v.name]!])), config.alpha.lr);
    });
    for (const name of ['alpha_normal', 'alpha_reduce']) {
      expect(scaledError(a.alphaVars.get(name)!.dataSync(), b.alphaVars.get(name)!.dataSync()), name).toBeLessThan(1e-6);
    }
    tf.dispose([x, y]);
    a.dispose();
    b.dispose();
  });

  it('search steps keep the tensor count flat and release everything kept for the backward', async () => {
    const config = searchConfig({ space: { cells: 3, channels: 8, nodes: 2 }, batchSize: 4, alpha: { freezeEpochs: 0 } });
    const state = new SearchState(config, [8, 8, 3], 4);
    const x = tf.randomNormal([4, 8, 8, 3]) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await alphaStep(state, x, y);
      await weightStep(state, x, y, 0.025);
      expect(savedHolderCount()).toBe(0);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    tf.dispose([x, y]);
    state.dispose();
  });

  it('falls back to the layer path where channel counts do not fit the kernels (C = 2, then 4 with FactorizedReduce halves of 2)', () => {
    const { net, arch } = build({ space: { cells: 3, channels: 2, nodes: 2 }, input: [8, 8, 3], nodeNormalization: true, why: '' });
    expect(net.cells.map((c) => c.usesFusedKernels)).toEqual([false, false, true]);
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const out = tf.tidy(() => net.forward(x, arch.weights(), { training: true }).shape);
    expect(out).toEqual([2, 5]);
    x.dispose();
    net.dispose();
    arch.dispose();
  });
});
