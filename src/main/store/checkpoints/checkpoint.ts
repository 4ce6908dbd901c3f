// Checkpoint DTOs: a file on disk, its hash, and whether it is still believed good.

export interface Checkpoint {
  id: number;
  runId: number;
  epoch: number;
  /** null: written at the end of `epoch`; otherwise the steps done inside it (a mid-epoch stop). */
  step: number | null;
  path: string;
  bytes: number;
  /** Lower-case hex SHA-256 of the file as written. */
  sha256: string;
  /** false once a check found the file missing or its hash different; resume skips it. */
  valid: boolean;
  invalidReason: string | null;
  /** Last time its file was verified or found bad. */
  checkedAt: string | null;
  createdAt: string;
}

export interface NewCheckpoint {
  epoch: number;
  step?: number | null;
  path: string;
  bytes: number;
  sha256: string;
}
