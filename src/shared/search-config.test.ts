import { describe, expect, it } from 'vitest';
import { alphaNeverTrains, searchConfig, searchConfigSchema } from './search-config';
import { edgeCount, presetSpace, reductionIndices, searchSpaceSchema } from './search-space';

describe('search config', () => {
  it('defaults to the paper (PRODUCT.md §2)', () => {
    const c = searchConfig();
    expect(c.batchSize).toBe(64);
    expect(c.epochs).toBe(50);
    expect(c.space).toMatchObject({ cells: 8, channels: 16, nodes: 4 });
    expect(c.space.ops).toHaveLength(8);
    expect(c.w).toEqual({ lr: 0.025, lrMin: 0.001, momentum: 0.9, weightDecay: 3e-4, gradClip: 5 });
    expect(c.alpha).toEqual({ lr: 3e-4, beta1: 0.5, beta2: 0.999, weightDecay: 1e-3, freezeEpochs: 15, freezeFraction: 0.3 });
    expect(c.nodeNormalization).toBe(true);
    expect(c.data.discretizeImages).toBe(5000);
  });
  it('has the ImageNet preset, still overridable', () => {
    const c = searchConfig({ epochs: 10 }, 'imagenet');
    expect(c.stem).toBe('imagenet');
    expect(c.batchSize).toBe(128);
    expect(c.w.lr).toBe(0.2);
    // PC-DARTS freezes α for 35 of 60 epochs: 10 epochs → 5.83 → 6.
    expect(c.alpha).toMatchObject({ lr: 0.006, freezeEpochs: 6 });
    expect(searchConfig({}, 'imagenet').alpha.freezeEpochs).toBe(35);
    expect(c.data.wFraction).toBe(0.05);
    expect(c.epochs).toBe(10);
  });
  it('scales the frozen α epochs with the budget unless they are set (the paper: 15 of 50)', () => {
    expect(searchConfig({ epochs: 3 }).alpha.freezeEpochs).toBe(1); // the README's 3-epoch example: α trains in epochs 2-3
    expect(searchConfig({ epochs: 10 }).alpha.freezeEpochs).toBe(3);
    expect(searchConfig({ epochs: 1 }).alpha.freezeEpochs).toBe(0);
    expect(searchConfig({ epochs: 10, alpha: { freezeEpochs: 0 } }).alpha.freezeEpochs).toBe(0);
    expect(searchConfig({ epochs: 10, alpha: { freezeFraction: 0.5 } }).alpha.freezeEpochs).toBe(5);
    // A stored config (already resolved) parses to itself.
    const c = searchConfig({ epochs: 7 });
    expect(searchConfigSchema.parse(c)).toEqual(c);
  });
  it('says when α would never train', () => {
    const c = searchConfig({ epochs: 10, alpha: { freezeEpochs: 15 } });
    expect(c.alpha.freezeEpochs).toBe(15);
    expect(alphaNeverTrains(c)).toBe(
      'α is frozen for 15 epochs of 10, so it never trains and the genotype comes from the random initial α: lower the frozen epochs or search for more epochs',
    );
    expect(alphaNeverTrains(searchConfig({ epochs: 10 }))).toBeUndefined();
  });
  it('rejects inconsistent settings with a message', () => {
    const r = searchConfigSchema.safeParse({ w: { lr: 0.01, lrMin: 0.1 } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/final learning rate/);
  });
});

describe('search spaces', () => {
  it('keeps ops in catalogue order and validates', () => {
    expect(searchSpaceSchema.parse({ ops: ['sep_conv_3x3', 'none', 'skip_connect'] }).ops).toEqual(['none', 'skip_connect', 'sep_conv_3x3']);
    expect(searchSpaceSchema.safeParse({ ops: ['none'] }).success).toBe(false);
    expect(searchSpaceSchema.safeParse({ ops: ['sep_conv_3x3', 'sep_conv_3x3'] }).success).toBe(false);
    expect(searchSpaceSchema.safeParse({ channels: 15 }).success).toBe(false);
    expect(presetSpace('S3').ops).toEqual(['none', 'skip_connect', 'sep_conv_3x3']);
    expect(presetSpace('S2').ops).toHaveLength(5);
  });
  it('places reductions at L/3 and 2L/3 and counts edges', () => {
    expect(reductionIndices(8)).toEqual([2, 5]);
    expect(reductionIndices(20)).toEqual([6, 13]);
    expect(edgeCount(4)).toBe(14);
  });
});
