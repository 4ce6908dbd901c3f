// The cache's manifest.json: what a cached dataset holds (shape, classes, counts, statistics, checksum), as a zod schema.
import { z } from 'zod';
import { DATASET_FORMATS } from './source';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

const count = z.number().int().min(0);

/**
 * One split's files: `images` holds `count` images, uint8, NHWC (row-major [count, H, W, C]);
 * `labels` holds `count` class indices, uint16 little-endian.
 */
export const cachedSplitSchema = z.object({
  count,
  images: z.string().min(1),
  labels: z.string().min(1),
  perClass: z.array(count),
});

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  name: z.string().min(1),
  format: z.enum([...DATASET_FORMATS, 'synthetic']),
  source: z.object({
    path: z.string(),
    /** See SourceEnd.sha256: the file's own sha256 for one file, else of a sha256sum-style listing. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  /** [height, width, channels]. */
  shape: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]),
  classNames: z.array(z.string()).min(1),
  splits: z.object({ train: cachedSplitSchema, test: cachedSplitSchema.optional() }),
  /** Per-channel mean and standard deviation (population) of the training pixels scaled to [0, 1]. */
  stats: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  /** Whether a horizontal flip keeps the class; the loaders flip only when this and the run's config allow it. */
  hflip: z.boolean(),
  /** Up to a few training images per class, as PNG paths relative to the cache folder. */
  thumbnails: z.array(z.array(z.string())),
  /** The reader's options at import (size, fit, channels, test split origin). */
  options: z.record(z.string(), z.unknown()),
  /** Bytes of the split and thumbnail files (the manifest aside). */
  bytes: count,
  created: z.string(),
});

export type DatasetManifest = z.output<typeof manifestSchema>;
export type CachedSplitInfo = z.output<typeof cachedSplitSchema>;
