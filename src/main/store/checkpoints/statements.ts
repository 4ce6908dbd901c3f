// SQL for the checkpoints table. Only checkpoints/queries.ts uses these.

/** Newest progress first: later epoch; within an epoch the end-of-epoch one, then more steps; then newer row. */
const NEWEST_FIRST = `ORDER BY epoch DESC, step IS NULL DESC, step DESC, id DESC`;

/** Re-writing the same file (same run) replaces its record and makes it valid again. */
export const UPSERT_CHECKPOINT = `
  INSERT INTO checkpoints (run_id, epoch, step, path, bytes, sha256, created_at)
  VALUES (@runId, @epoch, @step, @path, @bytes, @sha256, @now)
  ON CONFLICT (path) DO UPDATE SET
    epoch = excluded.epoch, step = excluded.step, bytes = excluded.bytes, sha256 = excluded.sha256,
    created_at = excluded.created_at, valid = 1, invalid_reason = NULL, checked_at = NULL
  WHERE checkpoints.run_id = excluded.run_id`;

export const GET_BY_PATH = `SELECT * FROM checkpoints WHERE path = @path`;
export const GET_CHECKPOINT = `SELECT * FROM checkpoints WHERE id = @id`;
export const LIST_CHECKPOINTS = `SELECT * FROM checkpoints WHERE run_id = @runId ${NEWEST_FIRST}`;
export const LATEST_VALID = `SELECT * FROM checkpoints WHERE run_id = @runId AND valid = 1 ${NEWEST_FIRST} LIMIT 1`;
export const MARK_INVALID = `UPDATE checkpoints SET valid = 0, invalid_reason = @reason, checked_at = @now, path = COALESCE(@keptAs, path) WHERE id = @id`;
export const MARK_VALID = `UPDATE checkpoints SET valid = 1, invalid_reason = NULL, checked_at = @now WHERE id = @id`;
export const DELETE_CHECKPOINT = `DELETE FROM checkpoints WHERE id = @id`;
