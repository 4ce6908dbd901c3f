// The retrain run's configuration: one validated object with the DARTS CIFAR and ImageNet recipes as presets.
import { z } from 'zod';
import { genotypeSchema } from './genotype';
import { genotypeIssues } from './genotype-text';
import { augmentSchema, backendChoiceSchema, mergeDeep } from './search-config';

export const RETRAIN_RECIPES = ['cifar', 'imagenet'] as const;
export type RetrainRecipe = (typeof RETRAIN_RECIPES)[number];

export const retrainOptimSchema = z.object({
  lr: z.number().positive().default(0.025),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(3e-4),
  gradClip: z.number().positive().default(5),
  /** `cosine`: CosineAnnealingLR(epochs) from `lr` to `lrMin`; `exponential`: lr·γ^epoch (StepLR(1, γ)). */
  schedule: z.enum(['cosine', 'exponential']).default('cosine'),
  lrMin: z.number().min(0).default(0),
  gamma: z.number().gt(0).max(1).default(0.97),
});

/** The search's augmentation settings, with the CIFAR recipe's cutout 16 as the default. */
export const retrainAugmentSchema = augmentSchema.extend({ cutout: z.number().int().min(0).max(256).default(16) });

export const retrainDataSchema = z.object({
  /** Name of a registered dataset, or `synthetic` for the generated demo data. */
  dataset: z.string().min(1).default('synthetic'),
  /** Training-split augmentation (the data loader applies it; cutout 16 is the CIFAR recipe's). */
  augment: retrainAugmentSchema.default(retrainAugmentSchema.parse({})),
});

export const retrainConfigSchema = z
  .object({
    /** The cell to retrain (K = 2 inputs per node; any number of nodes). */
    genotype: genotypeSchema,
    /** A label for the genotype (`DARTS_V2`, a run's discretization), shown in lists; not used to build. */
    genotypeName: z.string().max(200).optional(),
    /** `cifar`: one 3×3 conv stem to 3C; `imagenet`: the two stride-2 stems (224 → 28). */
    stem: z.enum(['cifar', 'imagenet']).default('cifar'),
    stemMultiplier: z.number().int().min(1).max(8).default(3),
    /** L: cells; reductions at L/3 and 2L/3. */
    cells: z.number().int().min(1).max(64).default(20),
    /** C: initial channels. */
    channels: z.number().int().min(2).max(512).default(36),
    epochs: z.number().int().min(1).max(10000).default(600),
    batchSize: z.number().int().min(1).max(4096).default(96),
    /** Stop an epoch (and the test pass) after this many steps (0 = the whole split); for quick looks and tests. */
    stepsPerEpoch: z.number().int().min(0).default(0),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    optim: retrainOptimSchema.default(retrainOptimSchema.parse({})),
    /** The auxiliary head after cell 2L/3 (training only) and its loss weight. */
    auxiliary: z.boolean().default(true),
    auxiliaryWeight: z.number().min(0).default(0.4),
    /** Drop-path probability at the last epoch; epoch e uses dropPath·e/epochs. */
    dropPath: z.number().min(0).lt(1).default(0.2),
    /** Label smoothing ε of the training loss (the test loss is plain cross-entropy). */
    labelSmoothing: z.number().min(0).lt(1).default(0),
    data: retrainDataSchema.default(retrainDataSchema.parse({})),
    backend: backendChoiceSchema.default('auto'),
  })
  .superRefine((c, ctx) => {
    if (c.channels % 2 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['channels'], message: 'channels must be even (FactorizedReduce and the ImageNet stem halve them)' });
    }
    if (c.optim.schedule === 'cosine' && c.optim.lrMin > c.optim.lr) {
      ctx.addIssue({ code: 'custom', path: ['optim', 'lrMin'], message: 'the final learning rate exceeds the initial one' });
    }
    for (const issue of genotypeIssues(c.genotype)) ctx.addIssue({ code: 'custom', path: ['genotype'], message: issue.message });
  });

export type RetrainConfig = z.output<typeof retrainConfigSchema>;
export type RetrainConfigInput = z.input<typeof retrainConfigSchema>;

/** The reference recipes (darts-reference.md); every field stays editable afterwards. */
export const RETRAIN_PRESETS: Record<RetrainRecipe, Omit<RetrainConfigInput, 'genotype'>> = {
  // train.py: 20 cells, 36 channels, batch 96, SGD 0.025 cosine → 0, wd 3e-4, 600 epochs, aux 0.4, cutout 16, drop-path 0.2, clip 5.
  cifar: {},
  // train_imagenet.py: 14 cells, 48 channels, batch 128, lr 0.1 × 0.97 per epoch, wd 3e-5, 250 epochs, smoothing 0.1,
  // aux 0.4, clip 5; no drop-path (its default is 0) and no cutout.
  imagenet: {
    stem: 'imagenet',
    cells: 14,
    channels: 48,
    epochs: 250,
    batchSize: 128,
    optim: { lr: 0.1, weightDecay: 3e-5, schedule: 'exponential', gamma: 0.97 },
    labelSmoothing: 0.1,
    dropPath: 0,
    data: { augment: { cutout: 0 } },
  },
};

/** A validated retrain config: the recipe's values, then `input` over them (deep merge, arrays replaced). */
export function retrainConfig(input: RetrainConfigInput, recipe: RetrainRecipe = 'cifar'): RetrainConfig {
  return retrainConfigSchema.parse(mergeDeep(RETRAIN_PRESETS[recipe] as RetrainConfigInput, input));
}

/** The drop-path probability used during `epoch` (0-based): the reference's drop_path_prob × epoch / epochs. */
export function dropPathAt(config: Pick<RetrainConfig, 'dropPath' | 'epochs'>, epoch: number): number {
  return (config.dropPath * epoch) / config.epochs;
}
