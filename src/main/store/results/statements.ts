// SQL for the retrain_results table. Only results/queries.ts uses these.

/** One result per run: evaluating again replaces it. */
export const UPSERT_RESULT = `
  INSERT INTO retrain_results (run_id, genotype_id, top1_error, top5_error, per_class_acc_json, confusion_json, params, madds, created_at)
  VALUES (@runId, @genotypeId, @top1Error, @top5Error, @perClassJson, @confusionJson, @params, @madds, @now)
  ON CONFLICT (run_id) DO UPDATE SET
    genotype_id = excluded.genotype_id, top1_error = excluded.top1_error, top5_error = excluded.top5_error,
    per_class_acc_json = excluded.per_class_acc_json, confusion_json = excluded.confusion_json,
    params = excluded.params, madds = excluded.madds, created_at = excluded.created_at`;

export const GET_RESULT = `SELECT * FROM retrain_results WHERE run_id = @runId`;
export const LIST_BY_GENOTYPE = `SELECT * FROM retrain_results WHERE genotype_id = @genotypeId ORDER BY top1_error, run_id`;
