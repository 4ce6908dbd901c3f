// Keeps the store's dataset table in step with the dataset cache: register after import, guard deletes.
import path from 'node:path';
import { deleteDataset } from '../data/registry';
import type { DatasetManifest } from '../data/manifest';
import type { Store } from '../store';
import { homePaths } from '../store/home';

/** Register (or refresh) an imported dataset's record; the cache folder stays the source of truth. */
export function recordDataset(store: Store, home: string, m: DatasetManifest): void {
  const record = {
    name: m.name,
    format: m.format,
    shape: { height: m.shape[0], width: m.shape[1], channels: m.shape[2] },
    classes: m.classNames,
    classCounts: { train: m.splits.train.perClass, ...(m.splits.test ? { test: m.splits.test.perClass } : {}) },
    checksum: m.source.sha256,
    cachePath: path.join(homePaths(home).datasets, m.name),
    source: m.source.path,
  };
  store.transaction(() => {
    if (store.datasets.get(m.name)) store.datasets.remove(m.name);
    store.datasets.register(record);
  });
}

/** Delete a dataset unless a run that may still read it (queued, running, resumable) uses it. */
export async function deleteDatasetChecked(store: Store, home: string, name: string): Promise<void> {
  const users = store.runs.list({ dataset: name, status: ['queued', 'running', 'interrupted', 'cancelled'] });
  if (users.length > 0) {
    throw new Error(`dataset ${name} is used by ${users.length === 1 ? 'run' : 'runs'} ${users.map((r) => `${r.id} (${r.status})`).join(', ')}; finish, or delete, ${users.length === 1 ? 'it' : 'them'} first`);
  }
  await deleteDataset(homePaths(home).datasets, name);
  if (store.datasets.get(name)) store.datasets.remove(name);
}
