// Opens everything behind the API for one data folder: the store, the job runner and the service.
import fs from 'node:fs';
import { DatasetImports } from '../jobs/dataset-import';
import { JobRunner, type JobRunnerOptions } from '../jobs/job-runner';
import { openStore, type Store } from '../store';
import { homePaths } from '../store/home';
import { createApiService, type ApiService } from './service';

export interface WorkbenchOptions {
  home: string;
  mode: 'electron' | 'browser';
  maxConcurrent?: number;
  version?: string;
  /** Where the job-process entry is (the Electron build has its own bundled one). */
  workerEntry?: JobRunnerOptions['workerEntry'];
  execArgv?: JobRunnerOptions['execArgv'];
  /** The desktop app's hidden GPU host windows (webgl/webgpu jobs); elsewhere jobs launch a headless Chromium. */
  gpuPages?: JobRunnerOptions['gpuPages'];
  onEventError?: (event: string, message: string) => void;
}

export interface Workbench {
  readonly home: string;
  readonly store: Store;
  readonly runner: JobRunner;
  readonly imports: DatasetImports;
  readonly service: ApiService;
  /** Cancel imports, stop the runner (running jobs become interrupted, resumable), then close the store. */
  close(): Promise<void>;
}

export function openWorkbench(opts: WorkbenchOptions): Workbench {
  const paths = homePaths(opts.home);
  fs.mkdirSync(paths.runs, { recursive: true });
  const store = openStore(paths.database);
  const maxConcurrent = opts.maxConcurrent ?? 1;
  const runner = new JobRunner({ home: opts.home, store, maxConcurrent, workerEntry: opts.workerEntry, execArgv: opts.execArgv, gpuPages: opts.gpuPages });
  const imports = new DatasetImports({ store, home: opts.home });
  const service = createApiService({ store, runner, imports, home: opts.home, mode: opts.mode, maxConcurrent, version: opts.version, onEventError: opts.onEventError });
  // Runs whose process died while nothing watched them (a crash, a power cut) are interrupted, not running.
  runner.reconcile();
  let closed = false;
  return {
    home: opts.home,
    store,
    runner,
    imports,
    service,
    async close() {
      if (closed) return;
      closed = true;
      service.dispose();
      // A running import is cancelled (nothing half-written is kept); then jobs stop as interrupted.
      await imports.close();
      await runner.close();
      store.close();
    },
  };
}
