// Opens the data a job needs from the home's dataset cache (the demo dataset is made on first use).
import type { BatchSource, SearchData } from '../../shared/batches';
import type { SearchConfig } from '../../shared/search-config';
import { openDataset } from '../data/registry';
import { evalSourceFrom, searchDataFrom } from '../data/search-data';
import { ensureSyntheticDataset, SYNTHETIC_NAME } from '../data/synthetic';
import type { CachedDataset } from '../data/cached-dataset';
import { homePaths } from '../store/home';

export async function openCachedDataset(home: string, name: string): Promise<CachedDataset> {
  const dir = homePaths(home).datasets;
  if (name === SYNTHETIC_NAME) return ensureSyntheticDataset(dir);
  return openDataset(dir, name);
}

export async function openSearchData(home: string, config: SearchConfig): Promise<SearchData> {
  const dataset = await openCachedDataset(home, config.data.dataset);
  return searchDataFrom(dataset, config.data, config.seed);
}

/** The test split, unaugmented, for evaluation. */
export async function openTestData(home: string, dataset: string): Promise<BatchSource> {
  return evalSourceFrom(await openCachedDataset(home, dataset), 'test');
}
