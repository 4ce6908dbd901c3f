// Search-space rows as SQLite returns them, and their mapping to DTOs.
import type { SearchSpace } from '../../../shared/search-space';
import { fromJson, toIso } from '../column-codecs';
import type { SavedSpace } from './saved-space';

export interface SpaceRow {
  id: number;
  name: string;
  space_json: string;
  builtin: 0 | 1;
  created_at: number;
  updated_at: number;
}

export function toSavedSpace(row: SpaceRow): SavedSpace {
  return {
    id: row.id,
    name: row.name,
    space: fromJson<SearchSpace>(row.space_json),
    builtin: row.builtin === 1,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}
