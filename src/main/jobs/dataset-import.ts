// Dataset imports as job-like tasks: detect the format, stream into the cache with progress, register the result;
// cancellable, one event per change (reading progress throttled), the importer's error named by its file.
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { detectFormat } from '../data/detect';
import { DatasetError } from '../data/errors';
import { importDataset, type ImportOptions } from '../data/import-dataset';
import { MANIFEST_FILE, type DatasetManifest } from '../data/manifest';
import { datasetDir } from '../data/registry';
import type { DatasetFormat } from '../data/source';
import type { Store } from '../store';
import { homePaths } from '../store/home';
import { recordDataset } from './dataset-records';

export type ImportStatus = 'running' | 'completed' | 'failed' | 'cancelled';
export type ImportPhase = 'detecting' | 'reading' | 'finishing' | 'done';

/** One import as the UI sees it; paths are shown as the user knows them (see ImportRequest.display). */
export interface ImportTask {
  id: number;
  /** Grows with every change (an event and an answer may arrive in either order). */
  revision: number;
  source: string;
  name: string | null;
  format: string | null;
  status: ImportStatus;
  phase: ImportPhase;
  file: string | null;
  images: number;
  total: number | null;
  error: { message: string; file: string | null } | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ImportRequest {
  /** The file or folder to import. */
  path: string;
  /** What the user dropped, in words (a path, or the uploaded names). */
  label: string;
  /** A path the importer names → what the user knows (an upload's staging folder → the uploaded names). */
  display?: (p: string) => string;
  name?: string;
  format?: DatasetFormat;
  size?: number;
  channels?: 1 | 3;
  testFraction?: number;
  /** The source to record instead of `path` (an upload's staging folder is gone once imported). */
  recordAs?: string;
  /** Run once the import settled, whatever the outcome (an upload's staging folder is removed here). */
  cleanup?: () => Promise<void>;
}

export interface DatasetImportsOptions {
  store: Store;
  home: string;
  /** Finished tasks kept for `list` (default 20). */
  keep?: number;
  /** Least time between two reading-progress events of one task (default 200 ms). */
  throttleMs?: number;
  /** The importer (tests pass a slow or failing one). */
  importer?: typeof importDataset;
}

export class DatasetImports {
  private readonly tasks = new Map<number, ImportTask>();
  private readonly controllers = new Map<number, AbortController>();
  private readonly running = new Map<number, Promise<void>>();
  private readonly listeners = new Set<(t: ImportTask) => void>();
  private nextId = 1;

  constructor(private readonly opts: DatasetImportsOptions) {}

  onEvent(listener: (t: ImportTask) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Newest first: running ones and the last few finished. */
  list(): ImportTask[] {
    return [...this.tasks.values()].sort((a, b) => b.id - a.id).map((t) => ({ ...t }));
  }

  get(id: number): ImportTask | undefined {
    const t = this.tasks.get(id);
    return t && { ...t };
  }

  /** Start an import; answers with its first snapshot at once, the rest arrives as events. */
  start(req: ImportRequest): ImportTask {
    const id = this.nextId++;
    const task: ImportTask = {
      id,
      revision: 0,
      source: req.label,
      name: req.name ?? null,
      format: req.format ?? null,
      status: 'running',
      phase: 'detecting',
      file: null,
      images: 0,
      total: null,
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.tasks.set(id, task);
    const ac = new AbortController();
    this.controllers.set(id, ac);
    this.emit(task);
    const done = this.run(task, req, ac.signal).finally(() => {
      this.controllers.delete(id);
      this.running.delete(id);
      this.prune();
    });
    this.running.set(id, done);
    return { ...task };
  }

  /** Stop a running import; nothing of it is kept. A finished one is answered as it is. */
  cancel(id: number): ImportTask | undefined {
    this.controllers.get(id)?.abort();
    return this.get(id);
  }

  /** Resolves when no import runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Cancel everything and wait for the imports to clean up. */
  async close(): Promise<void> {
    for (const ac of this.controllers.values()) ac.abort();
    await this.idle();
    this.listeners.clear();
  }

  private async run(task: ImportTask, req: ImportRequest, signal: AbortSignal): Promise<void> {
    const show = req.display ?? ((p: string) => p);
    const throttle = this.opts.throttleMs ?? 200;
    let lastEmit = 0;
    const update = (patch: Partial<ImportTask>, force = false) => {
      Object.assign(task, patch);
      task.revision++;
      const now = Date.now();
      if (force || now - lastEmit >= throttle) {
        lastEmit = now;
        this.emit(task);
      }
    };
    try {
      const format = req.format ?? (await detectFormat(req.path));
      signal.throwIfAborted();
      update({ format, phase: 'reading' }, true);
      const options: ImportOptions = {
        name: req.name,
        format,
        size: req.size,
        channels: req.channels,
        testFraction: req.testFraction,
        signal,
        onProgress: (p) => {
          const file = p.file === undefined ? task.file : show(p.file);
          const phaseChanged = p.phase !== 'done' && p.phase !== task.phase;
          update({ phase: p.phase === 'done' ? task.phase : p.phase, file, images: p.images, total: p.total ?? task.total }, phaseChanged || file !== task.file);
        },
      };
      const datasetsDir = homePaths(this.opts.home).datasets;
      let manifest = await (this.opts.importer ?? importDataset)(req.path, datasetsDir, options);
      if (req.recordAs !== undefined) manifest = await recordSource(datasetsDir, manifest, req.recordAs);
      recordDataset(this.opts.store, this.opts.home, manifest);
      const images = manifest.splits.train.count + (manifest.splits.test?.count ?? 0);
      update({ status: 'completed', phase: 'done', name: manifest.name, format: manifest.format, images, total: images, file: null, finishedAt: new Date().toISOString() }, true);
    } catch (err) {
      if (signal.aborted) {
        update({ status: 'cancelled', error: { message: 'cancelled: nothing was kept', file: null }, finishedAt: new Date().toISOString() }, true);
      } else if (err instanceof DatasetError) {
        const file = show(err.file);
        update({ status: 'failed', error: { message: `${file}: ${err.problem}`, file }, finishedAt: new Date().toISOString() }, true);
      } else {
        const message = err instanceof Error ? err.message : String(err);
        update({ status: 'failed', error: { message, file: null }, finishedAt: new Date().toISOString() }, true);
      }
    } finally {
      await req.cleanup?.().catch(() => {});
    }
  }

  private emit(task: ImportTask): void {
    const snapshot = { ...task };
    for (const l of this.listeners) {
      try {
        l(snapshot);
      } catch {
        // A listener's failure must not stop the import.
      }
    }
  }

  private prune(): void {
    const keep = this.opts.keep ?? 20;
    const finished = [...this.tasks.values()].filter((t) => t.status !== 'running').sort((a, b) => b.id - a.id);
    for (const t of finished.slice(keep)) this.tasks.delete(t.id);
  }
}

/** Rewrite a cached dataset's manifest with another source description (atomically: temp file, then rename). */
async function recordSource(datasetsDir: string, m: DatasetManifest, source: string): Promise<DatasetManifest> {
  const next: DatasetManifest = { ...m, source: { ...m.source, path: source } };
  const file = path.join(datasetDir(datasetsDir, m.name), MANIFEST_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(next, null, 2));
  await rename(tmp, file);
  return next;
}
