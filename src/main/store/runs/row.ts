// Run rows as SQLite returns them, and their mapping to DTOs.
import type { BackendChoice } from '../../../shared/search-config';
import { fromJson, toIso, toIsoOrNull } from '../column-codecs';
import type { DeviceKind, Run, RunKind, RunStatus, RunSummary, UsedBackend } from './run';

export interface RunRow {
  id: number;
  kind: RunKind;
  name: string;
  parent_id: number | null;
  dataset: string;
  space: string | null;
  config_json: string;
  seed: number;
  epochs_planned: number | null;
  backend_choice: string;
  backend: string | null;
  device: string | null;
  device_kind: string | null;
  status: RunStatus;
  pid: number | null;
  pid_start: string | null;
  runner_pid: number | null;
  runner_start: string | null;
  error: string | null;
  created_at: number;
  queued_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  folder: string | null;
  code_version: string;
}

export interface RunSummaryRow extends RunRow {
  epochs_done: number;
  last_epoch: number | null;
  best_val_acc: number | null;
  last_val_acc: number | null;
  last_zero_normal: number | null;
  last_zero_reduce: number | null;
  train_seconds: number | null;
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    parentId: row.parent_id,
    dataset: row.dataset,
    space: row.space,
    config: fromJson(row.config_json),
    seed: row.seed,
    epochsPlanned: row.epochs_planned,
    backendChoice: row.backend_choice as BackendChoice,
    backend: row.backend as UsedBackend | null,
    device: row.device,
    deviceKind: row.device_kind as DeviceKind | null,
    status: row.status,
    pid: row.pid,
    error: row.error,
    createdAt: toIso(row.created_at),
    queuedAt: toIsoOrNull(row.queued_at),
    startedAt: toIsoOrNull(row.started_at),
    finishedAt: toIsoOrNull(row.finished_at),
    folder: row.folder,
    codeVersion: row.code_version,
  } as Run;
}

export function toRunSummary(row: RunSummaryRow, nowMs: number): RunSummary {
  const end = row.finished_at ?? (row.status === 'running' ? nowMs : null);
  return {
    ...toRun(row),
    epochsDone: row.epochs_done,
    lastEpoch: row.last_epoch,
    bestValAcc: row.best_val_acc,
    lastValAcc: row.last_val_acc,
    lastZeroRatio: { normal: row.last_zero_normal, reduce: row.last_zero_reduce },
    trainSeconds: row.train_seconds ?? 0,
    elapsedSeconds: row.started_at !== null && end !== null ? Math.max(0, end - row.started_at) / 1000 : null,
  };
}
