// SQL for the search_spaces table. Only spaces/queries.ts uses these.

/** Insert or update by name; a user save never overwrites a built-in (the WHERE makes it a no-op). */
export const UPSERT_SPACE = `
  INSERT INTO search_spaces (name, space_json, builtin, created_at, updated_at)
  VALUES (@name, @spaceJson, @builtin, @now, @now)
  ON CONFLICT (name) DO UPDATE SET space_json = excluded.space_json, updated_at = excluded.updated_at
  WHERE search_spaces.builtin = excluded.builtin`;

export const GET_SPACE = `SELECT * FROM search_spaces WHERE name = @name`;
export const LIST_SPACES = `SELECT * FROM search_spaces ORDER BY builtin DESC, name`;
export const DELETE_USER_SPACE = `DELETE FROM search_spaces WHERE name = @name AND builtin = 0`;
