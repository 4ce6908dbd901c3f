// Checkpoint rows as SQLite returns them, and their mapping to DTOs.
import { toIso, toIsoOrNull } from '../column-codecs';
import type { Checkpoint } from './checkpoint';

export interface CheckpointRow {
  id: number;
  run_id: number;
  epoch: number;
  step: number | null;
  path: string;
  bytes: number;
  sha256: string;
  valid: 0 | 1;
  invalid_reason: string | null;
  checked_at: number | null;
  created_at: number;
}

export function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    id: row.id,
    runId: row.run_id,
    epoch: row.epoch,
    step: row.step,
    path: row.path,
    bytes: row.bytes,
    sha256: row.sha256,
    valid: row.valid === 1,
    invalidReason: row.invalid_reason,
    checkedAt: toIsoOrNull(row.checked_at),
    createdAt: toIso(row.created_at),
  };
}
