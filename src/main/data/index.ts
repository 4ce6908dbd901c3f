// The data layer's public face: import, registry, loaders and the demo dataset.
export { DatasetError } from './errors';
export { DATASET_FORMATS, SPLIT_NAMES, type DatasetFormat, type CacheFormat, type SplitName, type DatasetSource, type RecordChunk } from './source';
export { detectFormat } from './detect';
export { importDataset, type ImportOptions } from './import-dataset';
export { writeCache, type ImportProgress, type WriteOptions } from './cache-writer';
export { openSource, type ReaderOptions } from './readers';
export { listDatasets, openDataset, deleteDataset, datasetExists, checkDatasetName, nameFromPath } from './registry';
export { CachedDataset } from './cached-dataset';
export { SplitStore } from './split-store';
export { manifestSchema, type DatasetManifest, type CachedSplitInfo } from './manifest';
export { searchSplits, type SearchSplits, type SearchSplitConfig } from './splits';
export { SplitLoader, type LoaderOptions } from './loader';
export { searchDataFrom, evalSourceFrom, type SearchDataConfig } from './search-data';
export { ensureSyntheticDataset, syntheticSource, SYNTHETIC_NAME, SYNTHETIC_CLASSES } from './synthetic';
export { Prng, mixSeed } from './prng';
