import { describe, expect, it } from 'vitest';
import { parseGenotype } from '../../shared/genotype-text';
import { PUBLISHED_GENOTYPES } from '../../shared/published-genotypes';
import { activationFloats, wasmRetrainMemory, wasmRetrainRefusal } from './retrain-memory';

const MiB = 2 ** 20;
const paper = { genotype: PUBLISHED_GENOTYPES.DARTS_V2, cells: 20, channels: 36, stem: 'cifar' as const, stemMultiplier: 3, inputShape: [32, 32, 3] as const, auxiliary: true };

describe('activation floats', () => {
  it('counts one normal cell by hand', () => {
    // L = 1 is a single reduction cell (C doubles to 8, 4×4 → 2×2). Input 4·4·1 = 16; CIFAR stem to 3C = 12:
    // conv + BN 2·16·12 = 384.
    const g = parseGenotype("Genotype(normal=[('skip_connect', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('sep_conv_3x3', 1)], reduce_concat=[2])");
    const n = activationFloats({ genotype: g, cells: 1, channels: 4, stem: 'cifar', stemMultiplier: 3, inputShape: [4, 4, 1], auxiliary: false }, false);
    // C = 8 in the reduction cell; preprocess: relu 16·12 + pw/BN 2·16·8 = 448, twice = 896.
    // max_pool from state 0: padded copy 16·8 + pooled 4·8 = 160. sep_conv from state 1: relu 16·8, dw/pw/BN 3·4·8,
    // second half 4·4·8 → 128 + 96 + 128 = 352. Node sum 4·8 = 32, concat 4·8 = 32.
    expect(n).toBe(16 + 384 + 896 + 160 + 352 + 32 + 32);
  });
});

describe('the wasm heap estimate of a retrain step', () => {
  it('bounds the heaps measured on the wasm backend (within +30 %)', () => {
    // Measured heaps after one step with the auxiliary head and drop-path (tfjs-backend-wasm 4.22, 32×32×3).
    const measured: [typeof paper, number, number][] = [
      [paper, 2, 1381 * MiB],
      [paper, 4, 2543 * MiB],
      [{ ...paper, genotype: PUBLISHED_GENOTYPES.DARTS_V1, cells: 8, channels: 16 }, 8, 900 * MiB],
      [{ ...paper, genotype: PUBLISHED_GENOTYPES.DARTS_V1, cells: 8, channels: 16 }, 16, 1686 * MiB],
    ];
    for (const [o, batch, heap] of measured) {
      const { bytes } = wasmRetrainMemory(o, batch);
      expect(bytes).toBeGreaterThanOrEqual(heap);
      expect(bytes).toBeLessThanOrEqual(1.3 * heap);
    }
  });

  it('refuses the paper-size network at the recipe batch of 96, naming what it needs and the batch that fits', () => {
    // 29 429 760 floats per image × 24 B = 673.6 MiB; 256 MiB + 96 × 673.6 MiB = 63.4 GiB; (4 GiB − 64 KiB − 256 MiB) / 673.6 MiB = 5.7.
    expect(wasmRetrainRefusal(paper, 96)).toBe(
      'this network needs about 63.4 GiB of memory for one training step at batch 96 (674 MiB per image), more than the wasm ' +
        "backend's heap can hold (4.0 GiB); --batch 5 fits, or run it on a GPU backend (--backend tensorflow, webgpu).",
    );
    expect(wasmRetrainRefusal(paper, 5)).toBeUndefined();
    expect(wasmRetrainRefusal({ ...paper, cells: 8, channels: 16 }, 16)).toBeUndefined();
  });
});
