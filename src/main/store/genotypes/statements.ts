// SQL for the genotypes table. Only genotypes/queries.ts uses these.

export const INSERT_GENOTYPE = `
  INSERT INTO genotypes (run_id, checkpoint_id, method, name, text, genotype_json, scores_json, params, madds, created_at)
  VALUES (@runId, @checkpointId, @method, @name, @text, @genotypeJson, @scoresJson, @params, @madds, @now)`;

export const GET_GENOTYPE = `SELECT * FROM genotypes WHERE id = @id`;
export const LIST_BY_RUN = `SELECT * FROM genotypes WHERE run_id = @runId ORDER BY id`;
export const LIST_IMPORTED = `SELECT * FROM genotypes WHERE run_id IS NULL ORDER BY id`;
export const CHECKPOINT_RUN = `SELECT run_id FROM checkpoints WHERE id = @id`;
export const RESULT_COUNT = `SELECT COUNT(*) AS n FROM retrain_results WHERE genotype_id = @id`;
export const DELETE_GENOTYPE = `DELETE FROM genotypes WHERE id = @id`;
