import { describe, expect, it } from 'vitest';
import { PUBLISHED_GENOTYPES } from './published-genotypes';
import { dropPathAt, retrainConfig, retrainConfigSchema } from './retrain-config';

const genotype = PUBLISHED_GENOTYPES.DARTS_V2;

describe('retrain config', () => {
  it('defaults to the reference CIFAR recipe', () => {
    const c = retrainConfig({ genotype });
    expect(c).toMatchObject({
      stem: 'cifar',
      cells: 20,
      channels: 36,
      batchSize: 96,
      epochs: 600,
      auxiliary: true,
      auxiliaryWeight: 0.4,
      dropPath: 0.2,
      labelSmoothing: 0,
      optim: { lr: 0.025, momentum: 0.9, weightDecay: 3e-4, gradClip: 5, schedule: 'cosine', lrMin: 0 },
      data: { augment: { cutout: 16, cropPadding: 4, flip: true } },
    });
    // Parsing the bare schema gives the same recipe (the defaults live in the schema, not in the preset).
    expect(retrainConfigSchema.parse({ genotype })).toEqual(c);
  });

  it('has the reference ImageNet recipe as a preset, every field overridable', () => {
    const c = retrainConfig({ genotype }, 'imagenet');
    expect(c).toMatchObject({
      stem: 'imagenet',
      cells: 14,
      channels: 48,
      batchSize: 128,
      epochs: 250,
      labelSmoothing: 0.1,
      auxiliaryWeight: 0.4,
      dropPath: 0,
      optim: { lr: 0.1, weightDecay: 3e-5, schedule: 'exponential', gamma: 0.97, gradClip: 5 },
      data: { augment: { cutout: 0 } },
    });
    const o = retrainConfig({ genotype, cells: 8, optim: { lr: 0.05 }, data: { augment: { flip: false } } }, 'imagenet');
    expect(o.cells).toBe(8);
    expect(o.optim).toMatchObject({ lr: 0.05, weightDecay: 3e-5, schedule: 'exponential' });
    expect(o.data.augment).toMatchObject({ flip: false, cutout: 0 });
    // A partial augment override keeps the CIFAR recipe's cutout.
    expect(retrainConfig({ genotype, data: { augment: { flip: false } } }).data.augment.cutout).toBe(16);
  });

  it('ramps drop-path linearly: dropPath × epoch / epochs', () => {
    const c = retrainConfig({ genotype });
    expect(dropPathAt(c, 0)).toBe(0);
    expect(dropPathAt(c, 300)).toBeCloseTo(0.1, 12);
    expect(dropPathAt(c, 599)).toBeCloseTo((0.2 * 599) / 600, 12);
  });

  it('rejects odd channels, a malformed genotype and out-of-range values, saying where', () => {
    expect(() => retrainConfig({ genotype, channels: 35 })).toThrow(/channels must be even/);
    const bad = { ...genotype, normal: [...genotype.normal.slice(0, 7), { op: 'sep_conv_3x3' as const, input: 6 }] };
    expect(() => retrainConfig({ genotype: bad })).toThrow(/input 6 does not exist yet/);
    expect(() => retrainConfig({ genotype, dropPath: 1 })).toThrow();
    expect(() => retrainConfig({ genotype, optim: { lr: -1 } })).toThrow();
  });
});
