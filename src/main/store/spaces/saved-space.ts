// Search-space DTOs: a named, validated space; the built-in presets are marked and protected.
import type { SearchSpace } from '../../../shared/search-space';

export interface SavedSpace {
  id: number;
  name: string;
  space: SearchSpace;
  /** One of the paper's presets (S1–S3): refreshed by `ensureBuiltins`, not editable or removable. */
  builtin: boolean;
  createdAt: string;
  updatedAt: string;
}
