// Run data-transfer objects: what callers get and give (camelCase, parsed JSON, ISO timestamps).
import type { BackendChoice, SearchConfig } from '../../../shared/search-config';

export const RUN_KINDS = ['search', 'retrain', 'discretize', 'evaluate'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What a run really computes on (mirrors the engine's BackendInfo without importing the engine). */
export type UsedBackend = Exclude<BackendChoice, 'auto'>;
export type DeviceKind = 'gpu' | 'cpu' | 'software';

interface RunFields {
  id: number;
  name: string;
  /** The run this one derives from: a retrain's search, a resume-as-new's original, … */
  parentId: number | null;
  /** Dataset name as the config gives it (`synthetic` need not be registered). */
  dataset: string;
  /** Search-space name, where the kind has one. */
  space: string | null;
  seed: number;
  epochsPlanned: number | null;
  /** What the config asked for; `backend`/`device` are what the worker really got (null until it says). */
  backendChoice: BackendChoice;
  backend: UsedBackend | null;
  device: string | null;
  deviceKind: DeviceKind | null;
  status: RunStatus;
  /** The job process while `running`; null otherwise. */
  pid: number | null;
  /** Why it failed, was interrupted or cancelled. */
  error: string | null;
  createdAt: string;
  /** When it last entered the queue (queue order). */
  queuedAt: string | null;
  /** First start; a resume keeps it. */
  startedAt: string | null;
  /** Last time it stopped (completed, failed, cancelled, interrupted); null while queued or running. */
  finishedAt: string | null;
  /** The run folder (config copy, checkpoints, logs). */
  folder: string | null;
  /** Code version that created the run (recorded with it, as the reference copies code into experiment folders). */
  codeVersion: string;
}

export type SearchRun = RunFields & { kind: 'search'; config: SearchConfig };
export type OtherRun = RunFields & { kind: Exclude<RunKind, 'search'>; config: Record<string, unknown> };
export type Run = SearchRun | OtherRun;

interface NewRunFields {
  /** Default: `<kind> #<id>`. */
  name?: string;
  parentId?: number | null;
  codeVersion: string;
  /** A path, or a function of the new id (run folders are usually named after it). */
  folder?: string | ((id: number) => string);
}

/** A search run: dataset, space, seed, epochs and backend choice are read from the validated config. */
export interface NewSearchRun extends NewRunFields {
  kind: 'search';
  config: SearchConfig;
}

export interface NewOtherRun extends NewRunFields {
  kind: Exclude<RunKind, 'search'>;
  /** Any JSON-serialisable object (its schema belongs to the job kind). */
  config: object;
  dataset: string;
  space?: string | null;
  seed: number;
  backendChoice: BackendChoice;
  epochsPlanned?: number | null;
}

export type NewRun = NewSearchRun | NewOtherRun;

/** A run with what lists and comparisons show, computed from its epochs. */
export type RunSummary = Run & {
  epochsDone: number;
  lastEpoch: number | null;
  bestValAcc: number | null;
  lastValAcc: number | null;
  /** Mean `none` weight at the last recorded epoch (iDARTS Fig. 7); null where not recorded. */
  lastZeroRatio: { normal: number | null; reduce: number | null };
  /** Sum of the epochs' own seconds (compute time, without queueing or downtime). */
  trainSeconds: number;
  /** Wall time from first start to finish (or to now while running); null if never started. */
  elapsedSeconds: number | null;
};

export interface RunQuery {
  kind?: RunKind;
  status?: RunStatus | readonly RunStatus[];
  parentId?: number;
  dataset?: string;
  /** Newest first; default: all. */
  limit?: number;
  offset?: number;
}

export interface UsedDevice {
  backend: UsedBackend;
  device: string;
  deviceKind: DeviceKind;
}

/** A process as the store keeps it: pid and an opaque start token (null where it could not be read). */
export interface RecordedProcess {
  pid: number;
  start: string | null;
}

/** Who runs a `running` run: its job process, and the runner process that records its outcome. */
export interface RunProcesses {
  id: number;
  /** Null only for a row marked running without a process. */
  job: RecordedProcess | null;
  /** Null for runs started before runners were recorded. */
  runner: RecordedProcess | null;
}

export interface TransitionDetails {
  /** Required to enter `running`: the job process. */
  pid?: number;
  /** Entering `running`: the job process's start token (tells it from a later process with the same pid). */
  pidStart?: string | null;
  /** Entering `running`: the runner that started the job and will record how it ends. */
  runner?: RecordedProcess;
  /** The reason, for failed / interrupted / cancelled. */
  error?: string;
  /** Entering `running`: the backend really used, if already known (else `setDevice` later). */
  device?: UsedDevice;
}

export interface ReconciledRun {
  id: number;
  pid: number | null;
  reason: string;
}
