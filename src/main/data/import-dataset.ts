// Import a dataset from a path: detect (or take) its format, open the reader, stream it into the cache.
import { detectFormat } from './detect';
import type { DatasetManifest } from './manifest';
import { writeCache, type WriteOptions } from './cache-writer';
import { openSource, type ReaderOptions } from './readers';
import { checkDatasetName, nameFromPath } from './registry';
import { DatasetError } from './errors';
import type { DatasetFormat } from './source';
import { SYNTHETIC_NAME } from './synthetic';

export interface ImportOptions extends ReaderOptions, WriteOptions {
  /** Cache name; default: cifar10 / cifar100, or the source's base name. */
  name?: string;
  /** Skip detection. */
  format?: DatasetFormat;
}

function checkName(name: string): string {
  checkDatasetName(name);
  if (name === SYNTHETIC_NAME) throw new DatasetError(name, `the name "${SYNTHETIC_NAME}" is kept for the generated demo dataset: choose another`);
  return name;
}

/** Import `source` into `<datasetsDir>/<name>/`; a failed or cancelled import leaves nothing behind. */
export async function importDataset(source: string, datasetsDir: string, opts: ImportOptions = {}): Promise<DatasetManifest> {
  opts.signal?.throwIfAborted();
  const format = opts.format ?? (await detectFormat(source));
  if (opts.name !== undefined) checkName(opts.name);
  const reader = await openSource(format, source, opts);
  // Default names: cifar10 / cifar100, else the folder holding the files (an IDX file's folder, not the file).
  const name = checkName(opts.name ?? (format === 'cifar10' || format === 'cifar100' ? format : nameFromPath(reader.path)));
  return writeCache(datasetsDir, name, reader, opts);
}
