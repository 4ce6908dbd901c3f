// SQL for the runs table group. Only runs/queries.ts uses these.

export const INSERT_RUN = `
  INSERT INTO runs (kind, name, parent_id, dataset, space, config_json, seed, epochs_planned, backend_choice,
                    status, created_at, queued_at, folder, code_version)
  VALUES (@kind, @name, @parentId, @dataset, @space, @configJson, @seed, @epochsPlanned, @backendChoice,
          'queued', @now, @now, @folder, @codeVersion)`;

export const SET_NAME_AND_FOLDER = `UPDATE runs SET name = @name, folder = @folder WHERE id = @id`;
export const SET_NAME = `UPDATE runs SET name = @name WHERE id = @id`;
export const SET_FOLDER = `UPDATE runs SET folder = @folder WHERE id = @id`;

export const GET_RUN = `SELECT * FROM runs WHERE id = @id`;
export const GET_STATUS = `SELECT status FROM runs WHERE id = @id`;

/** Per-run figures from the epochs; each subquery walks the run's slice of the (run_id, epoch) key. */
const SUMMARY_SELECT = `
  SELECT r.*,
         (SELECT COUNT(*)     FROM epochs e WHERE e.run_id = r.id) AS epochs_done,
         (SELECT MAX(val_acc) FROM epochs e WHERE e.run_id = r.id) AS best_val_acc,
         (SELECT SUM(seconds) FROM epochs e WHERE e.run_id = r.id) AS train_seconds,
         l.epoch             AS last_epoch,
         l.val_acc           AS last_val_acc,
         l.zero_ratio_normal AS last_zero_normal,
         l.zero_ratio_reduce AS last_zero_reduce
  FROM runs r
  LEFT JOIN epochs l ON l.run_id = r.id AND l.epoch = (SELECT MAX(epoch) FROM epochs e WHERE e.run_id = r.id)`;

export const GET_SUMMARY = `${SUMMARY_SELECT} WHERE r.id = @id`;

export const LIST_SUMMARIES = `${SUMMARY_SELECT}
  WHERE (@kind IS NULL OR r.kind = @kind)
    AND (@statuses IS NULL OR r.status IN (SELECT value FROM json_each(@statuses)))
    AND (@parentId IS NULL OR r.parent_id = @parentId)
    AND (@dataset IS NULL OR r.dataset = @dataset)
  ORDER BY r.id DESC
  LIMIT @limit OFFSET @offset`;

export const LIST_QUEUED = `SELECT * FROM runs WHERE status = 'queued' ORDER BY queued_at, id`;
export const LIST_RUNNING = `SELECT id, pid, pid_start, runner_pid, runner_start FROM runs WHERE status = 'running' ORDER BY id`;
export const GET_PROCESSES = `SELECT id, pid, pid_start, runner_pid, runner_start FROM runs WHERE id = @id AND status = 'running'`;

/** Status changes: each applies only if the current status is one of @from (a JSON array), atomically. */
export const TO_RUNNING = `
  UPDATE runs SET status = 'running', pid = @pid, pid_start = @pidStart, runner_pid = @runnerPid,
                  runner_start = @runnerStart, error = NULL, finished_at = NULL,
                  started_at = COALESCE(started_at, @now),
                  backend = COALESCE(@backend, backend), device = COALESCE(@device, device),
                  device_kind = COALESCE(@deviceKind, device_kind)
  WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`;

export const TO_QUEUED = `
  UPDATE runs SET status = 'queued', pid = NULL, pid_start = NULL, runner_pid = NULL, runner_start = NULL, error = NULL, finished_at = NULL, queued_at = @now
  WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`;

export const TO_STOPPED = `
  UPDATE runs SET status = @to, pid = NULL, pid_start = NULL, runner_pid = NULL, runner_start = NULL, error = @error,
                  finished_at = @now
  WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`;

/** Reconciliation: only if still running under the same pid (guards against a concurrent resume). */
export const INTERRUPT_IF_SAME_PID = `
  UPDATE runs SET status = 'interrupted', pid = NULL, pid_start = NULL, runner_pid = NULL, runner_start = NULL,
                  error = @error, finished_at = @finishedAt
  WHERE id = @id AND status = 'running' AND pid IS @pid AND pid_start IS @pidStart`;

/** Last sign of life of a run: its newest epoch row or checkpoint, else its start. */
export const LAST_ACTIVITY = `
  SELECT MAX(COALESCE((SELECT MAX(recorded_at) FROM epochs WHERE run_id = @id), 0),
             COALESCE((SELECT MAX(created_at) FROM checkpoints WHERE run_id = @id), 0),
             COALESCE((SELECT started_at FROM runs WHERE id = @id), 0)) AS at`;

export const SET_DEVICE = `UPDATE runs SET backend = @backend, device = @device, device_kind = @deviceKind WHERE id = @id`;

export const GENOTYPES_IN_USE_ELSEWHERE = `
  SELECT COUNT(*) AS n FROM retrain_results rr JOIN genotypes g ON g.id = rr.genotype_id
  WHERE g.run_id = @id AND rr.run_id <> @id`;

export const DELETE_RUN = `DELETE FROM runs WHERE id = @id`;
