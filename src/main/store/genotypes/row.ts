// Genotype rows as SQLite returns them, and their mapping to DTOs.
import type { Genotype } from '../../../shared/genotype';
import { fromJson, fromJsonOrNull, toIso } from '../column-codecs';
import type { GenotypeMethod, StoredGenotype } from './stored-genotype';

export interface GenotypeRow {
  id: number;
  run_id: number | null;
  checkpoint_id: number | null;
  method: GenotypeMethod;
  name: string | null;
  text: string;
  genotype_json: string;
  scores_json: string | null;
  params: number | null;
  madds: number | null;
  created_at: number;
}

export function toStoredGenotype(row: GenotypeRow): StoredGenotype {
  return {
    id: row.id,
    runId: row.run_id,
    checkpointId: row.checkpoint_id,
    method: row.method,
    name: row.name,
    text: row.text,
    genotype: fromJson<Genotype>(row.genotype_json),
    scores: fromJsonOrNull(row.scores_json),
    params: row.params,
    madds: row.madds,
    createdAt: toIso(row.created_at),
  };
}
