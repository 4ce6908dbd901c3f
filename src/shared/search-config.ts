// The search run's configuration: one validated object with the paper's defaults, from form/CLI to worker.
import { z } from 'zod';
import { searchSpaceSchema } from './search-space';

export const BACKENDS = ['auto', 'tensorflow', 'webgl', 'webgpu', 'wasm', 'cpu'] as const;
export const backendChoiceSchema = z.enum(BACKENDS);
export type BackendChoice = z.infer<typeof backendChoiceSchema>;

export const augmentSchema = z.object({
  /** Random crop after zero padding by this many pixels (0 = off). */
  cropPadding: z.number().int().min(0).max(64).default(4),
  flip: z.boolean().default(true),
  /** Cutout square side in pixels (0 = off). */
  cutout: z.number().int().min(0).max(256).default(0),
});
export type AugmentConfig = z.output<typeof augmentSchema>;

export const wOptimSchema = z.object({
  lr: z.number().positive().default(0.025),
  lrMin: z.number().min(0).default(0.001),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(3e-4),
  gradClip: z.number().positive().default(5),
});

export const alphaOptimSchema = z.object({
  lr: z.number().positive().default(3e-4),
  beta1: z.number().min(0).max(1).default(0.5),
  beta2: z.number().min(0).max(1).default(0.999),
  weightDecay: z.number().min(0).default(1e-3),
  /**
   * α is not updated during the first `freezeEpochs` epochs (iDARTS follows [30]: 15 of 50). Left unset, it is
   * `freezeFraction` of the epochs, so a short search still trains α (the schema fills it in: see searchConfigSchema).
   */
  freezeEpochs: z.number().int().min(0).optional(),
  /** The share of the epochs α stays frozen when `freezeEpochs` is not set: the paper's 15 of 50. */
  freezeFraction: z.number().min(0).lt(1).default(0.3),
});

/** The frozen epochs when the user sets none: the budget's share, rounded (50 epochs → 15, 10 → 3, 3 → 1). */
export function scaledFreezeEpochs(epochs: number, fraction: number): number {
  return Math.round(fraction * epochs);
}

export const searchDataSchema = z.object({
  /** Name of a registered dataset, or `synthetic` for the generated demo data. */
  dataset: z.string().min(1).default('synthetic'),
  /** Share of the training split used for w (the rest, or `alphaFraction`, for α). */
  wFraction: z.number().gt(0).max(1).default(0.5),
  alphaFraction: z.number().gt(0).max(1).default(0.5),
  /** Training images held out for decorrelation discretization (capped by what exists). */
  discretizeImages: z.number().int().min(1).default(5000),
  augment: augmentSchema.default(augmentSchema.parse({})),
});

export const searchConfigSchema = z
  .object({
    space: searchSpaceSchema.default(searchSpaceSchema.parse({})),
    /** iDARTS pre-normalization: a non-affine BN on every intermediate node's sum. */
    nodeNormalization: z.boolean().default(true),
    /** `cifar`: one 3×3 conv to 3C; `imagenet`: three stride-2 3×3 convs (224 → 28). */
    stem: z.enum(['cifar', 'imagenet']).default('cifar'),
    stemMultiplier: z.number().int().min(1).max(8).default(3),
    epochs: z.number().int().min(1).max(10000).default(50),
    batchSize: z.number().int().min(1).max(4096).default(64),
    /** Stop an epoch after this many steps (0 = the whole split); for quick looks and tests. */
    stepsPerEpoch: z.number().int().min(0).default(0),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(2),
    w: wOptimSchema.default(wOptimSchema.parse({})),
    alpha: alphaOptimSchema.default(alphaOptimSchema.parse({})),
    data: searchDataSchema.default(searchDataSchema.parse({})),
    backend: backendChoiceSchema.default('auto'),
    /**
     * Data-parallel threads on the wasm backend (each takes a slice of every batch; synchronised batch norm
     * and summed gradients give one thread's trajectory to float32 tolerance). 'auto': the cores, up to 4.
     */
    threads: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default('auto'),
    /** Batch size used when streaming the discretization subset. */
    discretizeBatchSize: z.number().int().min(1).max(1024).default(32),
  })
  .superRefine((c, ctx) => {
    if (c.w.lrMin > c.w.lr) ctx.addIssue({ code: 'custom', path: ['w', 'lrMin'], message: 'the final learning rate exceeds the initial one' });
    if (c.data.wFraction + c.data.alphaFraction > 1 + 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['data', 'alphaFraction'], message: 'w and α shares of the training split add up to more than 1' });
    }
  })
  // The one place the frozen-epoch default is decided: every parsed config carries an explicit number.
  .transform((c) => ({ ...c, alpha: { ...c.alpha, freezeEpochs: c.alpha.freezeEpochs ?? scaledFreezeEpochs(c.epochs, c.alpha.freezeFraction) } }));

export type SearchConfig = z.output<typeof searchConfigSchema>;
export type SearchConfigInput = z.input<typeof searchConfigSchema>;

/** The paper's two search presets (PRODUCT.md §2); every field stays editable afterwards. */
export const SEARCH_PRESETS: Record<'cifar' | 'imagenet', SearchConfigInput> = {
  cifar: {},
  imagenet: {
    stem: 'imagenet',
    epochs: 60,
    batchSize: 128,
    w: { lr: 0.2, lrMin: 0 },
    // PC-DARTS' ImageNet search: α frozen for 35 of 60 epochs, scaled the same way when the epochs change.
    alpha: { lr: 0.006, weightDecay: 1e-3, freezeFraction: 35 / 60 },
    data: { wFraction: 0.05, alphaFraction: 0.05, discretizeImages: 10000 },
  },
};

/** Why α would never train under this config (every epoch frozen), or undefined when it trains. */
export function alphaNeverTrains(c: Pick<SearchConfig, 'epochs'> & { alpha: { freezeEpochs: number } }): string | undefined {
  if (c.alpha.freezeEpochs < c.epochs) return undefined;
  return (
    `α is frozen for ${c.alpha.freezeEpochs} epoch${c.alpha.freezeEpochs === 1 ? '' : 's'} of ${c.epochs}, so it never trains and the genotype ` +
    'comes from the random initial α: lower the frozen epochs or search for more epochs'
  );
}

export function searchConfig(input: SearchConfigInput = {}, preset: 'cifar' | 'imagenet' = 'cifar'): SearchConfig {
  return searchConfigSchema.parse(mergeDeep(SEARCH_PRESETS[preset], input));
}

/** Plain-object deep merge (arrays replaced), used to lay user overrides over a preset. */
export function mergeDeep<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) {
    return over as T;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    out[k] = k in out ? mergeDeep(out[k], v) : v;
  }
  return out as T;
}
