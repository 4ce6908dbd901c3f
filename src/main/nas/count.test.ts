import { beforeAll, describe, expect, it } from 'vitest';
import type { Genotype } from '../../shared/genotype';
import { parseGenotype } from '../../shared/genotype-text';
import { PUBLISHED_GENOTYPES } from '../../shared/published-genotypes';
import { Rng } from '../../shared/random';
import { presetSpace } from '../../shared/search-space';
import { auxiliaryCost, countEvalNetwork, countParameters, countSearchNetwork, evalNetworkCost, searchNetworkCost } from './count';
import { EvalNetwork, type EvalNetworkOptions } from './eval-network';
import { SearchNetwork } from './search-network';
import { useBackend } from './testing/backends';

beforeAll(() => useBackend('cpu'));

const cifar = (genotype: Genotype, over: Partial<EvalNetworkOptions> = {}): EvalNetworkOptions => ({
  genotype,
  cells: 20,
  channels: 36,
  numClasses: 10,
  inputShape: [32, 32, 3],
  stem: 'cifar',
  auxiliary: true,
  ...over,
});

function built<T>(o: EvalNetworkOptions, f: (net: EvalNetwork) => T): T {
  const net = new EvalNetwork(o, new Rng(0));
  try {
    return f(net);
  } finally {
    net.dispose();
  }
}

describe('parameter counts against the published figures', () => {
  it('DARTS_V1 at 20 cells / 36 channels / 10 classes: exactly 3,169,414 (reference log), auxiliary head excluded', () => {
    const c = built(cifar(PUBLISHED_GENOTYPES.DARTS_V1), countEvalNetwork);
    expect(c.parameters).toBe(3169414);
    expect(c.parametersWithAuxiliary).toBeGreaterThan(c.parameters);
  });

  it('DARTS_V2 at 20 cells / 36 channels: 3.3 M as count_parameters_in_MB rounds it', () => {
    const c = built(cifar(PUBLISHED_GENOTYPES.DARTS_V2), countEvalNetwork);
    expect((c.parameters / 1e6).toFixed(1)).toBe('3.3');
    expect(Math.abs(c.parameters / 1e6 - 3.35)).toBeLessThan(0.01);
  });

  it('P-DARTS 3.4 M and PC-DARTS 3.6 M at the same size (their papers)', () => {
    expect((built(cifar(PUBLISHED_GENOTYPES.PDARTS), countEvalNetwork).parameters / 1e6).toFixed(1)).toBe('3.4');
    expect((built(cifar(PUBLISHED_GENOTYPES.PC_DARTS_cifar), countEvalNetwork).parameters / 1e6).toFixed(1)).toBe('3.6');
  });

  it('DARTS_V2 as an ImageNet network (14 cells / 48 channels / 1000 classes): 4.7 M', () => {
    const o = cifar(PUBLISHED_GENOTYPES.DARTS_V2, { cells: 14, channels: 48, numClasses: 1000, inputShape: [224, 224, 3], stem: 'imagenet' });
    expect((built(o, countEvalNetwork).parameters / 1e6).toFixed(1)).toBe('4.7');
  });

  it('the supernet at 8 cells / 16 channels / S1: exactly 1,930,618, α excluded', () => {
    const options = { space: presetSpace('S1'), numClasses: 10, inputShape: [32, 32, 3] as const, nodeNormalization: true, stem: 'cifar' as const, stemMultiplier: 3 };
    const net = new SearchNetwork(options, new Rng(0));
    const c = countSearchNetwork(net);
    net.dispose();
    expect(c.parameters).toBe(1930618);
    expect(c.parametersWithAuxiliary).toBe(1930618);
    expect(searchNetworkCost(options).parameters).toBe(1930618);
  });
});

describe('the analytic count model agrees with the built networks', () => {
  const genotypes: Genotype[] = [
    ...Object.values(PUBLISHED_GENOTYPES),
    // Three nodes, a concat of two, none and every pool / dil conv at stride 2 in the reduction cell.
    parseGenotype(
      "Genotype(normal=[('dil_conv_5x5', 0), ('none', 1), ('sep_conv_5x5', 2), ('skip_connect', 0), ('avg_pool_3x3', 3), ('dil_conv_3x3', 1)], normal_concat=[3, 4], " +
        "reduce=[('max_pool_3x3', 0), ('dil_conv_5x5', 1), ('skip_connect', 0), ('avg_pool_3x3', 2), ('dil_conv_3x3', 1), ('sep_conv_5x5', 3)], reduce_concat=[2, 3, 4])",
    ),
  ];
  it.each(genotypes.map((g, i) => [i, g] as const))('genotype %i, CIFAR and ImageNet forms', (_i, g) => {
    for (const o of [
      cifar(g, { cells: 8, channels: 16 }),
      cifar(g, { cells: 5, channels: 8, stem: 'imagenet', inputShape: [224, 224, 3], numClasses: 7 }),
      cifar(g, { cells: 4, channels: 6, auxiliary: false }),
    ]) {
      // countEvalNetwork throws if the model and the variables disagree; check the split by hand too.
      const c = built(o, (net) => ({ counted: countEvalNetwork(net), real: countParameters(net.params) }));
      expect(c.counted.parameters).toBe(c.real.parameters);
      expect(c.counted.parametersWithAuxiliary).toBe(c.real.withAuxiliary);
      expect(evalNetworkCost(o).parameters).toBe(c.real.parameters);
    }
  });
});

describe('the cell channel sequence', () => {
  it('matches darts-reference.md at 36 channels / 20 cells', () => {
    const seq = built(cifar(PUBLISHED_GENOTYPES.DARTS_V2), (net) => net.cells.map((c) => [c.cPrevPrev, c.cPrev, c.C]));
    const expected = [
      [108, 108, 36],
      [108, 144, 36],
      ...Array(4).fill([144, 144, 36]),
      [144, 144, 72],
      [144, 288, 72],
      ...Array(5).fill([288, 288, 72]),
      [288, 288, 144],
      [288, 576, 144],
      ...Array(5).fill([576, 576, 144]),
    ];
    expect(seq).toEqual(expected);
    const reductions = built(cifar(PUBLISHED_GENOTYPES.DARTS_V2), (net) => net.cells.filter((c) => c.reduction).map((c) => c.index));
    expect(reductions).toEqual([6, 13]);
  });
});

describe('multiply-adds', () => {
  // cells 3 (reductions at 1 and 2), C = 4, 1 node per cell, concat [2], 8×8×3 input, 5 classes.
  const tiny = parseGenotype(
    "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('dil_conv_3x3', 1)], reduce_concat=[2])",
  );
  const o = cifar(tiny, { cells: 3, channels: 4, numClasses: 5, inputShape: [8, 8, 3], auxiliary: false });

  it('match a hand computation on a tiny network', () => {
    // stem: 3×3 conv 3→12 at 8×8 = 324 weights × 64 positions; BN 24 parameters.
    const stem = { params: 324 + 24, madds: 324 * 64 };
    // cell 0 (normal, C 4, C_pp = C_p = 12, 8×8): two 1×1 preprocessings 12→4 (48 weights, BN 8 each);
    // sep_conv_3x3 = twice (dw 9·4 = 36, pw 4·4 = 16, BN 8); skip is the identity.
    const cell0 = { params: 2 * (48 + 8) + 2 * (36 + 16 + 8), madds: 2 * 48 * 64 + 2 * (36 + 16) * 64 };
    // cell 1 (reduction, C 8, C_pp 12, C_p 4): 1×1 12→8 and 4→8 at 8×8; max pool free; dil_conv_3x3 stride 2 → 4×4:
    // dw 9·8 = 72 and pw 8·8 = 64 at 16 positions.
    const cell1 = { params: 96 + 16 + 32 + 16 + 72 + 64 + 16, madds: (96 + 32) * 64 + (72 + 64) * 16 };
    // cell 2 (reduction after a reduction, C 16, C_pp 4 at 8×8, C_p 8 at 4×4): FactorizedReduce = two 1×1 4→8 at 4×4;
    // 1×1 8→16 at 4×4; dil_conv_3x3 stride 2 → 2×2: dw 9·16 = 144, pw 256 at 4 positions.
    const cell2 = { params: 64 + 32 + 128 + 32 + 144 + 256 + 32, madds: 64 * 16 + 128 * 16 + (144 + 256) * 4 };
    // classifier: 16 → 5 (weights and bias; 80 multiply-adds).
    const classifier = { params: 85, madds: 80 };
    const parts = [stem, cell0, cell1, cell2, classifier];
    const c = built(o, countEvalNetwork);
    expect(c.breakdown.stem).toEqual(stem);
    expect(c.breakdown.cells.map((x) => ({ params: x.params, madds: x.madds }))).toEqual([cell0, cell1, cell2]);
    expect(c.breakdown.cells.map((x) => x.size)).toEqual([
      [8, 8],
      [4, 4],
      [2, 2],
    ]);
    expect(c.parameters).toBe(parts.reduce((a, p) => a + p.params, 0));
    expect(c.multiplyAdds).toBe(parts.reduce((a, p) => a + p.madds, 0));
    expect(c.multiplyAdds).toBe(48656);
    expect(c.auxiliaryMultiplyAdds).toBe(0);
  });

  it('of the ImageNet stems match a hand computation', () => {
    const c = evalNetworkCost({ ...o, stem: 'imagenet', inputShape: [16, 16, 3] });
    // 3×3 s2 3→2 (54 weights) at 8×8, BN 4; 3×3 s2 2→4 (72) at 4×4, BN 8; 3×3 s2 4→4 (144) at 2×2, BN 8.
    expect(c.breakdown.stem).toEqual({ params: 54 + 4 + 72 + 8 + 144 + 8, madds: 54 * 64 + 72 * 16 + 144 * 4 });
  });

  it('of the CIFAR auxiliary head match a hand computation, and it is left out of the parameter count', () => {
    // 8×8 map, C 16, 5 classes: pool 5/3 → 2×2; 1×1 16→128 at 2×2; BN 256; 2×2 128→768 at 1×1; BN 1536; linear 768→5.
    const hand = { params: 2048 + 256 + 393216 + 1536 + 3845, madds: 2048 * 4 + 393216 + 3840 };
    expect(auxiliaryCost('cifar', 16, 5, [8, 8])).toEqual(hand);
    // The ImageNet head has no BN after the 2×2 conv.
    expect(auxiliaryCost('imagenet', 16, 5, [7, 7]).params).toBe(hand.params - 1536);
    const big = { ...o, inputShape: [32, 32, 3] as const, auxiliary: true };
    const withHead = built(big, countEvalNetwork);
    const without = built({ ...big, auxiliary: false }, countEvalNetwork);
    expect(withHead.parameters).toBe(without.parameters);
    expect(withHead.parametersWithAuxiliary - withHead.parameters).toBe(hand.params);
    expect(withHead.auxiliaryMultiplyAdds).toBe(hand.madds);
    expect(withHead.multiplyAdds).toBe(without.multiplyAdds);
  });

  it('of a supernet count every op of the space on every edge', () => {
    const space = { ...presetSpace('S3'), cells: 1, channels: 4, nodes: 1 };
    // One reduction cell (C 8), stem 12 at 8×8, preprocessing 12→8 twice at 8×8, node 0 with 2 edges of {skip, sep3} at stride 2.
    const c = searchNetworkCost({ space, numClasses: 3, inputShape: [8, 8, 3], nodeNormalization: false, stem: 'cifar', stemMultiplier: 3 });
    const fr = 2 * 8 * 4 * 16; // FactorizedReduce 8→8: two 1×1 8→4 at 4×4
    const sep = 72 * 16 + 64 * 16 + (72 + 64) * 16; // first dw (strided) + pw at 4×4, second at 4×4
    expect(c.breakdown.cells[0]!.madds).toBe(2 * 96 * 64 + 2 * (fr + sep));
    expect(c.multiplyAdds).toBe(324 * 64 + 2 * 96 * 64 + 2 * (fr + sep) + 8 * 3);
  });
});
