// The datasets part of the service: list, detail with thumbnails, import as a task (a path or an upload), delete.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiHandlers } from '../../shared/api/contract';
import { IMPORT_FORMATS, type DatasetDetailDto, type DatasetDto } from '../../shared/api/dto';
import { ApiError } from '../../shared/api/errors';
import { DATASET_FORMATS } from '../data/source';
import { DatasetError } from '../data/errors';
import type { DatasetManifest } from '../data/manifest';
import { datasetDir, listDatasets, openDataset } from '../data/registry';
import { SYNTHETIC_CLASSES, SYNTHETIC_NAME, SYNTHETIC_SIDE } from '../data/synthetic';
import { THUMBS_DIR } from '../data/thumbnails';
import { deleteDatasetChecked } from '../jobs/dataset-records';
import type { DatasetImports } from '../jobs/dataset-import';
import type { Store } from '../store';
import { homePaths } from '../store/home';
import { removeUpload, stagedSource } from './staging';

// The contract's format list must be the importer's (a compile error here means they drifted apart).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const FORMATS_MATCH: Same<(typeof IMPORT_FORMATS)[number], (typeof DATASET_FORMATS)[number]> = true;

/** Runs that may still read a dataset: deleting it is refused while any exists. */
const USING_STATUSES = ['queued', 'running', 'interrupted', 'cancelled'] as const;

/** Classes whose thumbnails are sent with a dataset's detail (one row each). */
const MAX_THUMB_CLASSES = 200;

export type DatasetHandlers = Pick<ApiHandlers, 'datasets/list' | 'datasets/get' | 'datasets/import' | 'datasets/imports' | 'datasets/cancelImport' | 'datasets/delete'>;

export interface DatasetHandlerContext {
  store: Store;
  home: string;
  imports: DatasetImports;
  listDatasets?: (dir: string) => Promise<DatasetManifest[]>;
}

export function datasetDto(m: DatasetManifest): DatasetDto {
  return {
    name: m.name,
    format: m.format,
    shape: m.shape,
    classes: m.classNames,
    trainImages: m.splits.train.count,
    testImages: m.splits.test?.count ?? null,
    bytes: m.bytes,
    cached: true,
    createdAt: m.created,
  };
}

/** The demo dataset before its first use (it is generated then). */
export function syntheticDto(): DatasetDto {
  return { name: SYNTHETIC_NAME, format: 'synthetic', shape: [SYNTHETIC_SIDE, SYNTHETIC_SIDE, 3], classes: SYNTHETIC_CLASSES, trainImages: null, testImages: null, bytes: null, cached: false, createdAt: null };
}

async function thumbnailUrls(dir: string, m: DatasetManifest): Promise<string[][]> {
  const out: string[][] = [];
  for (const list of m.thumbnails.slice(0, MAX_THUMB_CLASSES)) {
    const row: string[] = [];
    for (const rel of list) {
      // Only the cache's own thumbnail files, whatever a manifest says.
      if (!rel.startsWith(`${THUMBS_DIR}/`) || rel.includes('..') || path.isAbsolute(rel)) continue;
      const bytes = await readFile(path.join(dir, rel)).catch(() => null);
      if (bytes) row.push(`data:image/png;base64,${bytes.toString('base64')}`);
    }
    out.push(row);
  }
  return out;
}

export function datasetHandlers(ctx: DatasetHandlerContext): DatasetHandlers {
  const { store, home, imports } = ctx;
  const datasetsDir = homePaths(home).datasets;

  const usedBy = (name: string) =>
    store.runs.list({ dataset: name, status: [...USING_STATUSES] }).map((r) => ({ runId: r.id, name: r.name, kind: r.kind, status: r.status }));

  return {
    'datasets/list': async () => {
      const found = (await (ctx.listDatasets ?? listDatasets)(datasetsDir)).map(datasetDto);
      if (!found.some((d) => d.name === SYNTHETIC_NAME)) found.unshift(syntheticDto());
      return found;
    },

    'datasets/get': async ({ name }): Promise<DatasetDetailDto> => {
      let ds;
      try {
        ds = await openDataset(datasetsDir, name);
      } catch (err) {
        if (name === SYNTHETIC_NAME) return { ...syntheticDto(), source: 'generated on first use', checksum: null, classCounts: null, stats: null, hflip: null, thumbnails: [], usedBy: usedBy(name) };
        if (err instanceof DatasetError) throw new ApiError({ code: 'not-found', message: `No dataset "${name}": ${err.problem}.` });
        throw err;
      }
      const m = ds.manifest;
      return {
        ...datasetDto(m),
        source: m.source.path,
        checksum: m.source.sha256,
        classCounts: { train: m.splits.train.perClass, test: m.splits.test?.perClass ?? null },
        stats: m.stats,
        hflip: m.hflip,
        thumbnails: await thumbnailUrls(datasetDir(datasetsDir, name), m),
        usedBy: usedBy(name),
      };
    },

    'datasets/import': async ({ source, name, format, size, channels, testFraction }) => {
      const options = { name, format, size, channels, testFraction };
      if (source.kind === 'path') {
        if (!path.isAbsolute(source.path)) throw new ApiError({ code: 'invalid', message: `Import a full path, not "${source.path}".`, issues: [{ path: 'source.path', message: 'not an absolute path' }] });
        return imports.start({ path: path.normalize(source.path), label: source.path, ...options });
      }
      const staged = await stagedSource(home, source.uploadId);
      return imports.start({ path: staged.path, label: staged.label, display: staged.display, recordAs: `uploaded: ${staged.label}`, ...options, cleanup: () => removeUpload(home, source.uploadId) });
    },

    'datasets/imports': async () => imports.list(),

    'datasets/cancelImport': async ({ id }) => {
      const task = imports.cancel(id);
      if (!task) throw new ApiError({ code: 'not-found', message: `No import #${id} (finished imports are kept for a while only).` });
      return task;
    },

    'datasets/delete': async ({ name }) => {
      const users = usedBy(name);
      if (users.length > 0) {
        const list = users.map((u) => `#${u.runId} ${u.name} (${u.status})`).join(', ');
        throw new ApiError({
          code: 'conflict',
          message: `Dataset ${name} is used by ${users.length === 1 ? 'run' : 'runs'} ${list}; finish or delete ${users.length === 1 ? 'it' : 'them'} first.`,
        });
      }
      try {
        await deleteDatasetChecked(store, home, name);
      } catch (err) {
        if (err instanceof DatasetError) throw new ApiError({ code: 'not-found', message: `Nothing to delete: ${err.problem}.` });
        throw err;
      }
      return { name };
    },
  };
}
