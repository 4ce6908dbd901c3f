// SQL for the datasets table. Only datasets/queries.ts uses these.

export const INSERT_DATASET = `
  INSERT INTO datasets (name, format, channels, height, width, classes_json, class_counts_json, checksum, cache_path, source, created_at)
  VALUES (@name, @format, @channels, @height, @width, @classesJson, @classCountsJson, @checksum, @cachePath, @source, @now)`;

export const GET_BY_NAME = `SELECT * FROM datasets WHERE name = @name`;
export const LIST_DATASETS = `SELECT * FROM datasets ORDER BY name`;
export const DELETE_DATASET = `DELETE FROM datasets WHERE name = @name`;
