// Epoch rows as SQLite returns them, and their mapping to DTOs.
import { fromJson, toIso } from '../column-codecs';
import type { EpochRecord, EpochScalars } from './epoch';

export interface EpochScalarRow {
  epoch: number;
  lr: number | null;
  train_loss: number | null;
  train_acc: number | null;
  val_loss: number | null;
  val_acc: number | null;
  test_loss: number | null;
  test_acc: number | null;
  zero_ratio_normal: number | null;
  zero_ratio_reduce: number | null;
  seconds: number | null;
}

export interface EpochRow extends EpochScalarRow {
  run_id: number;
  metrics_json: string;
  recorded_at: number;
}

export function toEpochScalars(row: EpochScalarRow): EpochScalars {
  return {
    epoch: row.epoch,
    lr: row.lr,
    trainLoss: row.train_loss,
    trainAcc: row.train_acc,
    valLoss: row.val_loss,
    valAcc: row.val_acc,
    testLoss: row.test_loss,
    testAcc: row.test_acc,
    zeroRatio: { normal: row.zero_ratio_normal, reduce: row.zero_ratio_reduce },
    seconds: row.seconds,
  };
}

export function toEpochRecord<M>(row: EpochRow): EpochRecord<M> {
  return { runId: row.run_id, ...toEpochScalars(row), metrics: fromJson<M>(row.metrics_json), recordedAt: toIso(row.recorded_at) };
}
