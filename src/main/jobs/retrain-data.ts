// The data a retrain reads: the whole training split (augmented, cutout included) and the test split.
import type { BatchSource } from '../../shared/batches';
import type { RetrainConfig } from '../../shared/retrain-config';
import { SplitLoader } from '../data/loader';
import { evalSourceFrom } from '../data/search-data';
import { openCachedDataset } from './search-data';

/** Loader stream id for retrain training batches (distinct from the search's w/α/discretize streams). */
const RETRAIN_STREAM = 5;

export interface RetrainData {
  train: BatchSource;
  test: BatchSource;
  classNames: string[];
}

export async function openRetrainData(home: string, config: RetrainConfig): Promise<RetrainData> {
  const dataset = await openCachedDataset(home, config.data.dataset);
  const m = dataset.manifest;
  const augment = { ...config.data.augment, flip: config.data.augment.flip && m.hflip };
  const train = new SplitLoader(dataset.split('train'), {
    seed: config.seed,
    stream: RETRAIN_STREAM,
    shuffle: true,
    augment,
    mean: m.stats.mean,
    std: m.stats.std,
    numClasses: m.classNames.length,
  });
  return { train, test: evalSourceFrom(dataset, 'test'), classNames: m.classNames };
}
