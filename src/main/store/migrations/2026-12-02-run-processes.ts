// Migration 4: who runs a run — its job process's start token, and the runner process that records it.
import type { Migration } from './migration';

/**
 * A pid alone cannot tell a live job from an unrelated process that reused its pid, nor a job whose
 * runner is about to record its exit from one nobody will record: keep the job process's start token
 * and its runner (pid + start token) while the run is `running`.
 */
export const runProcesses: Migration = {
  version: 4,
  date: '2026-12-02',
  name: 'run-processes',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN pid_start TEXT;
      ALTER TABLE runs ADD COLUMN runner_pid INTEGER;
      ALTER TABLE runs ADD COLUMN runner_start TEXT;
    `);
  },
};
