// Dataset rows as SQLite returns them, and their mapping to DTOs.
import { fromJson, toIso } from '../column-codecs';
import type { Dataset } from './dataset';

export interface DatasetRow {
  id: number;
  name: string;
  format: string;
  channels: number;
  height: number;
  width: number;
  classes_json: string;
  class_counts_json: string;
  checksum: string;
  cache_path: string;
  source: string | null;
  created_at: number;
}

export function toDataset(row: DatasetRow): Dataset {
  return {
    id: row.id,
    name: row.name,
    format: row.format,
    shape: { channels: row.channels, height: row.height, width: row.width },
    classes: fromJson<string[]>(row.classes_json),
    classCounts: fromJson<Record<string, number[]>>(row.class_counts_json),
    checksum: row.checksum,
    cachePath: row.cache_path,
    source: row.source,
    createdAt: toIso(row.created_at),
  };
}
