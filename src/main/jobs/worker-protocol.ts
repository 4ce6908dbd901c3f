// Messages between the job runner (parent) and a job process (child), over the fork IPC channel.
import type { BackendInfoDto } from '../../shared/backend-info';
import type { JobProgress } from '../../shared/jobs';
import type { SearchConfig } from '../../shared/search-config';
import type { CheckpointFile } from './run-folder';

export type WorkerJob =
  | { kind: 'search'; runId: number; home: string; folder: string; config: SearchConfig; resumeFrom?: string }
  | {
      kind: 'discretize';
      runId: number;
      home: string;
      /** The search run's config (dataset, seed, discretization subset). */
      config: SearchConfig;
      checkpointPath: string;
      method: 'value' | 'decorrelation';
      images?: number;
    }
  | { kind: 'retrain'; runId: number; home: string; folder: string; config: unknown; resumeFrom?: string }
  | { kind: 'evaluate'; runId: number; home: string; folder: string; checkpointPath: string };

export type ToWorker = { type: 'start'; job: WorkerJob } | { type: 'stop' } | GpuPageReply;

/**
 * The GPU job host in the desktop app (chromium-host/): a job process asks the app to open its page in a
 * hidden window, and hears when that window is gone (a crash reads as the host going away).
 */
export interface GpuPageRequest {
  type: 'gpu-page';
  op: 'open' | 'close';
  id: number;
  url?: string;
}
export interface GpuPageReply {
  type: 'gpu-page';
  op: 'opened' | 'error' | 'gone';
  id: number;
  error?: string;
  reason?: string;
}

export interface GenotypeMessage {
  method: 'value' | 'decorrelation';
  text: string;
  genotype: unknown;
  scores: unknown;
  params?: number | null;
  madds?: number | null;
}

export type FromWorker =
  | { type: 'backend'; backend: BackendInfoDto; parameters?: number }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'epoch'; metrics: Record<string, unknown> & { epoch: number }; checkpoint: CheckpointFile }
  | { type: 'stopped'; checkpoint: CheckpointFile }
  | { type: 'genotype'; genotype: GenotypeMessage }
  | { type: 'result'; result: Record<string, unknown> }
  | { type: 'done' }
  | { type: 'failed'; error: string }
  | GpuPageRequest;
