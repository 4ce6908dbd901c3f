// SQL for the epochs table. Only epochs/queries.ts uses these.

/** Upsert: recording an epoch again (a resumed run redoing it) replaces the row, never adds one. */
export const UPSERT_EPOCH = `
  INSERT INTO epochs (run_id, epoch, lr, train_loss, train_acc, val_loss, val_acc, test_loss, test_acc,
                      zero_ratio_normal, zero_ratio_reduce, seconds, metrics_json, recorded_at)
  VALUES (@runId, @epoch, @lr, @trainLoss, @trainAcc, @valLoss, @valAcc, @testLoss, @testAcc,
          @zeroNormal, @zeroReduce, @seconds, @metricsJson, @now)
  ON CONFLICT (run_id, epoch) DO UPDATE SET
    lr = excluded.lr, train_loss = excluded.train_loss, train_acc = excluded.train_acc,
    val_loss = excluded.val_loss, val_acc = excluded.val_acc, test_loss = excluded.test_loss,
    test_acc = excluded.test_acc, zero_ratio_normal = excluded.zero_ratio_normal,
    zero_ratio_reduce = excluded.zero_ratio_reduce, seconds = excluded.seconds,
    metrics_json = excluded.metrics_json, recorded_at = excluded.recorded_at`;

export const LIST_EPOCHS = `SELECT * FROM epochs WHERE run_id = @runId ORDER BY epoch`;
export const GET_EPOCH = `SELECT * FROM epochs WHERE run_id = @runId AND epoch = @epoch`;

/** The scalar columns only: the metrics JSON (overflow pages) is not read. */
export const LIST_SCALARS = `
  SELECT epoch, lr, train_loss, train_acc, val_loss, val_acc, test_loss, test_acc,
         zero_ratio_normal, zero_ratio_reduce, seconds
  FROM epochs WHERE run_id = @runId ORDER BY epoch`;

export const LAST_EPOCH = `SELECT MAX(epoch) AS epoch, COUNT(*) AS n FROM epochs WHERE run_id = @runId`;
export const DELETE_AFTER = `DELETE FROM epochs WHERE run_id = @runId AND epoch > @epoch`;
