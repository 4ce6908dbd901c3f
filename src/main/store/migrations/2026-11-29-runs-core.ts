// Migration 1: datasets, search spaces, runs, per-epoch metrics and checkpoint files.
import type { Migration } from './migration';

export const runsCore: Migration = {
  version: 1,
  date: '2026-11-29',
  name: 'runs-core',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id                INTEGER PRIMARY KEY,
        name              TEXT    NOT NULL UNIQUE CHECK (length(name) > 0),
        format            TEXT    NOT NULL,
        channels          INTEGER NOT NULL CHECK (channels > 0),
        height            INTEGER NOT NULL CHECK (height > 0),
        width             INTEGER NOT NULL CHECK (width > 0),
        classes_json      TEXT    NOT NULL CHECK (json_valid(classes_json)),
        class_counts_json TEXT    NOT NULL CHECK (json_valid(class_counts_json)),
        checksum          TEXT    NOT NULL,
        cache_path        TEXT    NOT NULL,
        source            TEXT,
        created_at        INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE search_spaces (
        id         INTEGER PRIMARY KEY,
        name       TEXT    NOT NULL UNIQUE CHECK (length(name) > 0),
        space_json TEXT    NOT NULL CHECK (json_valid(space_json)),
        builtin    INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- AUTOINCREMENT: a deleted run's id (and so its folder name) is never handed out again.
      CREATE TABLE runs (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        kind           TEXT    NOT NULL CHECK (kind IN ('search', 'retrain', 'discretize', 'evaluate')),
        name           TEXT    NOT NULL,
        parent_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        dataset        TEXT    NOT NULL,
        space          TEXT,
        config_json    TEXT    NOT NULL CHECK (json_valid(config_json)),
        seed           INTEGER NOT NULL,
        epochs_planned INTEGER CHECK (epochs_planned >= 0),
        backend_choice TEXT    NOT NULL,
        backend        TEXT,
        device         TEXT,
        device_kind    TEXT    CHECK (device_kind IN ('gpu', 'cpu', 'software')),
        status         TEXT    NOT NULL DEFAULT 'queued'
                               CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
        pid            INTEGER,
        error          TEXT,
        created_at     INTEGER NOT NULL,
        queued_at      INTEGER,
        started_at     INTEGER,
        finished_at    INTEGER,
        folder         TEXT,
        code_version   TEXT    NOT NULL
      ) STRICT;
      CREATE INDEX runs_status ON runs (status, queued_at);
      CREATE INDEX runs_parent ON runs (parent_id);
      CREATE INDEX runs_kind ON runs (kind);

      -- One row per (run, epoch): a resumed run re-records an epoch by upsert, never twice.
      CREATE TABLE epochs (
        run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        epoch             INTEGER NOT NULL CHECK (epoch >= 0),
        lr                REAL,
        train_loss        REAL,
        train_acc         REAL,
        val_loss          REAL,
        val_acc           REAL,
        test_loss         REAL,
        test_acc          REAL,
        zero_ratio_normal REAL,
        zero_ratio_reduce REAL,
        seconds           REAL,
        metrics_json      TEXT    NOT NULL CHECK (json_valid(metrics_json)),
        recorded_at       INTEGER NOT NULL,
        PRIMARY KEY (run_id, epoch)
      ) STRICT;

      -- step NULL: written at the end of the epoch; otherwise steps done inside it (a cancel's final checkpoint).
      CREATE TABLE checkpoints (
        id         INTEGER PRIMARY KEY,
        run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        epoch      INTEGER NOT NULL CHECK (epoch >= 0),
        step       INTEGER CHECK (step >= 0),
        path       TEXT    NOT NULL UNIQUE,
        bytes      INTEGER NOT NULL CHECK (bytes >= 0),
        sha256     TEXT    NOT NULL CHECK (length(sha256) = 64),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX checkpoints_run ON checkpoints (run_id, epoch);
    `);
  },
};
