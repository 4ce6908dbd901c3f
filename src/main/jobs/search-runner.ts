// Runs a search (or resumes one) in this process, writing its run folder as events arrive.
import fs from 'node:fs';
import type { SearchData } from '../../shared/batches';
import type { SearchEpochMetrics, StepProgress } from '../../shared/metrics';
import type { SearchConfig } from '../../shared/search-config';
import { CODE_VERSION } from '../../shared/version';
import { selectBackend, type BackendInfo } from '../nas/backend';
import { runSearch, type SearchEvent, type SearchJob } from '../nas/search';
import { nodeBackendHost } from './backend-host';
import { eventLoopTurn } from './event-loop-turn';
import { RunFolder, type CheckpointFile } from './run-folder';

export interface SearchRunnerHooks {
  onStart?(info: { backend: BackendInfo; parameters: number; epoch: number; step: number; stepsPerEpoch: number }): void;
  onStep?(p: StepProgress): void;
  onEpoch?(m: SearchEpochMetrics, ckpt: CheckpointFile): void;
  onStopped?(ckpt: CheckpointFile): void;
  shouldStop?(): boolean;
}

/** Where the engine runs: in this process (the default), or in the Chromium job host (chromium-host/). */
export interface SearchEngine {
  run(job: SearchJob): AsyncIterable<SearchEvent>;
  /** The backend really used: known once `run` has yielded its first event. */
  backend(): BackendInfo;
}

export interface SearchRunResult {
  status: 'completed' | 'stopped';
  backend: BackendInfo;
  history: SearchEpochMetrics[];
  lastCheckpoint?: CheckpointFile;
}

/**
 * Start a new search in `folder` (created with the config), or resume from its newest readable checkpoint
 * when `resume` is set. The engine stays store-free; the folder is the record.
 */
export async function runSearchInFolder(opts: {
  folder: string;
  config: SearchConfig;
  data: SearchData;
  resume?: boolean;
  /** Resume from this checkpoint file (the runner picks the newest one whose hash checks out). */
  resumeFrom?: string;
  hooks?: SearchRunnerHooks;
  /** A step event every N steps (default 1); a stop requested from the event loop is seen within N steps. */
  progressEvery?: number;
  /** Default: this process, on the backend the config chooses. */
  engine?: SearchEngine;
}): Promise<SearchRunResult> {
  const { config, data, hooks = {} } = opts;
  const local = opts.engine ? null : await selectBackend(config.backend, nodeBackendHost());
  const engine: SearchEngine = opts.engine ?? { run: (job) => runSearch(job), backend: () => local! };
  const resuming = opts.resume || opts.resumeFrom !== undefined;
  const folder = resuming && fs.existsSync(opts.folder) ? RunFolder.open(opts.folder) : RunFolder.create(opts.folder, config, { kind: 'search', createdAt: new Date().toISOString(), codeVersion: CODE_VERSION, backend: local });
  let resumeBytes: Uint8Array | undefined;
  if (opts.resumeFrom) resumeBytes = fs.readFileSync(opts.resumeFrom);
  else if (opts.resume) {
    const ckpts = folder.checkpoints();
    if (ckpts.length) resumeBytes = fs.readFileSync(ckpts[ckpts.length - 1]!.path);
  }
  const history: SearchEpochMetrics[] = [];
  let last: CheckpointFile | undefined;
  for await (const ev of engine.run({ config, data, resume: resumeBytes, shouldStop: hooks.shouldStop, progressEvery: opts.progressEvery })) {
    if (ev.type === 'start') {
      // The Chromium host knows its device only once its gates have passed: record it now.
      const record = folder.readConfig();
      if (!record.backend) folder.writeJson('config.json', { ...record, backend: engine.backend() });
      hooks.onStart?.({ backend: engine.backend(), parameters: ev.parameters, epoch: ev.position.epoch, step: ev.position.step, stepsPerEpoch: ev.stepsPerEpoch });
    } else if (ev.type === 'step') {
      hooks.onStep?.(ev.progress);
    } else if (ev.type === 'epoch') {
      last = folder.writeCheckpoint(ev.position.epoch, ev.position.step, ev.checkpoint);
      history.push(ev.metrics);
      folder.writeMetrics(readHistory(folder, ev.metrics));
      hooks.onEpoch?.(ev.metrics, last);
    } else if (ev.type === 'stopped') {
      last = folder.writeCheckpoint(ev.position.epoch, ev.position.step, ev.checkpoint);
      hooks.onStopped?.(last);
      return { status: 'stopped', backend: engine.backend(), history, lastCheckpoint: last };
    }
    // Let the stop flag's handlers run before the engine checks it at the next step.
    await eventLoopTurn();
  }
  return { status: 'completed', backend: engine.backend(), history, lastCheckpoint: last };
}

/** Metrics log = what is on disk up to this epoch, then this epoch (idempotent under resume). */
function readHistory(folder: RunFolder, m: SearchEpochMetrics): SearchEpochMetrics[] {
  const prior = folder.readMetrics<SearchEpochMetrics>().filter((e) => e.epoch < m.epoch);
  return [...prior, m];
}
