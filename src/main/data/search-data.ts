// Factories from a cached dataset and a run's data config to the loaders the engine reads: search views and eval.
import type { BatchSource, SearchData } from '../../shared/batches';
import type { searchDataSchema } from '../../shared/search-config';
import type { z } from 'zod';
import type { CachedDataset } from './cached-dataset';
import { DatasetError } from './errors';
import { SplitLoader } from './loader';
import type { SplitName } from './source';
import { searchSplits } from './splits';

export type SearchDataConfig = z.output<typeof searchDataSchema>;

/** Loader stream ids: each view has its own order and augmentation for a shared seed. */
export const STREAMS = { w: 1, alpha: 2, discretize: 3, eval: 4 } as const;

/**
 * The search's three views of the training split. w and α are shuffled each epoch and augmented
 * (α too, as the reference's valid_queue uses the training transform); horizontal flips only where
 * the config asks for them and the manifest says they keep the class. The discretization subset is
 * neither shuffled nor augmented.
 */
export function searchDataFrom(dataset: CachedDataset, data: SearchDataConfig, seed: number): SearchData {
  const m = dataset.manifest;
  const store = dataset.split('train');
  const splits = searchSplits(store.count, data, seed, `${dataset.name} (train split)`);
  const augment = { ...data.augment, flip: data.augment.flip && m.hflip };
  const common = { seed, mean: m.stats.mean, std: m.stats.std, numClasses: m.classNames.length };
  return {
    w: new SplitLoader(store, { ...common, indices: splits.w, stream: STREAMS.w, shuffle: true, augment }),
    alpha: new SplitLoader(store, { ...common, indices: splits.alpha, stream: STREAMS.alpha, shuffle: true, augment }),
    discretize: new SplitLoader(store, { ...common, indices: splits.discretize, stream: STREAMS.discretize, shuffle: false }),
    classNames: m.classNames,
  };
}

/** A split in its stored order, normalised with the training statistics, not augmented (for test/eval). */
export function evalSourceFrom(dataset: CachedDataset, split: SplitName = 'test', indices?: Uint32Array): BatchSource {
  const m = dataset.manifest;
  if (!dataset.hasSplit(split)) throw new DatasetError(dataset.dir, `dataset ${dataset.name} has no ${split} split`);
  return new SplitLoader(dataset.split(split), { seed: 0, stream: STREAMS.eval, shuffle: false, indices, mean: m.stats.mean, std: m.stats.std, numClasses: m.classNames.length });
}
