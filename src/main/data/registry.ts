// The dataset registry for now: one cache folder per name under <home>/datasets, each with its manifest.json.
import { readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DATASET_NAME, DATASET_NAME_RULE, datasetSlug } from '../../shared/dataset-name';
import { CachedDataset } from './cached-dataset';
import { DatasetError } from './errors';
import { MANIFEST_FILE, manifestSchema, type DatasetManifest } from './manifest';


export function checkDatasetName(name: string): string {
  if (!DATASET_NAME.test(name)) throw new DatasetError(name, `not a valid dataset name: ${DATASET_NAME_RULE}`);
  return name;
}

/** A default name from a source path: its base name without archive extensions, its letters kept (any script). */
export function nameFromPath(p: string): string {
  const base = path.basename(path.resolve(p)).replace(/\.(tar\.gz|tgz|gz)$/i, '');
  return datasetSlug(base) ?? 'dataset';
}

export function datasetDir(datasetsDir: string, name: string): string {
  return path.join(datasetsDir, checkDatasetName(name));
}

async function readManifest(dir: string): Promise<DatasetManifest | null> {
  const text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Every cached dataset with a readable manifest, by name (import temp folders start with a dot and are skipped). */
export async function listDatasets(datasetsDir: string): Promise<DatasetManifest[]> {
  const entries = await readdir(datasetsDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const out: DatasetManifest[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.') || !DATASET_NAME.test(e.name)) continue;
    const m = await readManifest(path.join(datasetsDir, e.name));
    if (m) out.push(m);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function datasetExists(datasetsDir: string, name: string): Promise<boolean> {
  return (await stat(datasetDir(datasetsDir, name)).catch(() => null)) !== null;
}

/** Open a cached dataset by name; its split files are read on first use. */
export async function openDataset(datasetsDir: string, name: string, opts: { inMemoryLimit?: number } = {}): Promise<CachedDataset> {
  const dir = datasetDir(datasetsDir, name);
  const manifest = await readManifest(dir);
  if (!manifest) {
    const exists = await datasetExists(datasetsDir, name);
    throw new DatasetError(dir, exists ? `${MANIFEST_FILE} is missing or invalid: delete and re-import the dataset` : `no dataset named "${name}"`);
  }
  return new CachedDataset(dir, manifest, opts.inMemoryLimit);
}

/** Remove a cached dataset: unregistered at once (renamed to a hidden folder), then deleted. */
export async function deleteDataset(datasetsDir: string, name: string): Promise<void> {
  const dir = datasetDir(datasetsDir, name);
  if (!(await datasetExists(datasetsDir, name))) throw new DatasetError(dir, `no dataset named "${name}"`);
  const trash = path.join(datasetsDir, `.deleting-${name}-${process.pid}-${Date.now()}`);
  await rename(dir, trash);
  await rm(trash, { recursive: true, force: true });
}
