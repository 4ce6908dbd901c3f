// Retrain result rows as SQLite returns them, and their mapping to DTOs.
import { fromJson, fromJsonOrNull, toIso } from '../column-codecs';
import type { RetrainResult } from './retrain-result';

export interface RetrainResultRow {
  run_id: number;
  genotype_id: number;
  top1_error: number;
  top5_error: number | null;
  per_class_acc_json: string;
  confusion_json: string | null;
  params: number | null;
  madds: number | null;
  created_at: number;
}

export function toRetrainResult(row: RetrainResultRow): RetrainResult {
  return {
    runId: row.run_id,
    genotypeId: row.genotype_id,
    top1Error: row.top1_error,
    top5Error: row.top5_error,
    perClassAccuracy: fromJson<number[]>(row.per_class_acc_json),
    confusion: fromJsonOrNull<number[][]>(row.confusion_json),
    params: row.params,
    madds: row.madds,
    createdAt: toIso(row.created_at),
  };
}
