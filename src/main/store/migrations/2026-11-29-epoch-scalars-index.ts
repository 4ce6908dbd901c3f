// Migration 3: a covering index, so run summaries and charts read epoch scalars without the metrics JSON pages.
import type { Migration } from './migration';

export const epochScalarsIndex: Migration = {
  version: 3,
  date: '2026-11-29',
  name: 'epoch-scalars-index',
  up(db) {
    db.exec(`
      CREATE INDEX epochs_scalars ON epochs (run_id, epoch, lr, train_loss, train_acc, val_loss, val_acc, test_loss,
                                             test_acc, zero_ratio_normal, zero_ratio_reduce, seconds);
    `);
  },
};
