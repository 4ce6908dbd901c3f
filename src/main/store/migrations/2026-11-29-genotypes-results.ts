// Migration 2: genotypes and retrain results; checkpoints gain a validity flag (hash mismatch, missing file).
import type { Migration } from './migration';

export const genotypesResults: Migration = {
  version: 2,
  date: '2026-11-29',
  name: 'genotypes-results',
  up(db) {
    db.exec(`
      ALTER TABLE checkpoints ADD COLUMN valid INTEGER NOT NULL DEFAULT 1 CHECK (valid IN (0, 1));
      ALTER TABLE checkpoints ADD COLUMN invalid_reason TEXT;
      ALTER TABLE checkpoints ADD COLUMN checked_at INTEGER;

      -- run_id NULL only for an imported genotype (it comes from a file, not from one of our runs).
      CREATE TABLE genotypes (
        id            INTEGER PRIMARY KEY,
        run_id        INTEGER REFERENCES runs (id) ON DELETE CASCADE,
        checkpoint_id INTEGER REFERENCES checkpoints (id) ON DELETE SET NULL,
        method        TEXT    NOT NULL CHECK (method IN ('value', 'decorrelation', 'imported')),
        name          TEXT,
        text          TEXT    NOT NULL,
        genotype_json TEXT    NOT NULL CHECK (json_valid(genotype_json)),
        scores_json   TEXT    CHECK (scores_json IS NULL OR json_valid(scores_json)),
        params        INTEGER CHECK (params >= 0),
        madds         INTEGER CHECK (madds >= 0),
        created_at    INTEGER NOT NULL,
        CHECK (method = 'imported' OR run_id IS NOT NULL)
      ) STRICT;
      CREATE INDEX genotypes_run ON genotypes (run_id);
      CREATE INDEX genotypes_checkpoint ON genotypes (checkpoint_id);

      -- One result per retrain (or evaluate) run; errors and accuracies are fractions in [0, 1].
      -- A genotype with results cannot be deleted (RESTRICT): delete the retrain runs first.
      CREATE TABLE retrain_results (
        run_id             INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        genotype_id        INTEGER NOT NULL REFERENCES genotypes (id) ON DELETE RESTRICT,
        top1_error         REAL    NOT NULL CHECK (top1_error BETWEEN 0 AND 1),
        top5_error         REAL    CHECK (top5_error BETWEEN 0 AND 1),
        per_class_acc_json TEXT    NOT NULL CHECK (json_valid(per_class_acc_json)),
        confusion_json     TEXT    CHECK (confusion_json IS NULL OR json_valid(confusion_json)),
        params             INTEGER CHECK (params >= 0),
        madds              INTEGER CHECK (madds >= 0),
        created_at         INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX retrain_results_genotype ON retrain_results (genotype_id);
    `);
  },
};
