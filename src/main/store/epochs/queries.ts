// Typed queries over per-epoch metrics: idempotent recording, full and scalar-only reads, truncation.
import type { SearchEpochMetrics } from '../../../shared/metrics';
import { finiteOrNull, toJson } from '../column-codecs';
import type { StoreContext } from '../context';
import { InvalidInputError, NotFoundError } from '../errors';
import { isForeignKeyFailure } from '../sqlite-errors';
import type { EpochInput, EpochRecord, EpochScalars } from './epoch';
import { toEpochRecord, toEpochScalars, type EpochRow, type EpochScalarRow } from './row';
import * as SQL from './statements';

export interface EpochQueries {
  /** Insert or replace the run's row for `input.epoch` (one statement, its own transaction unless inside one). */
  record(runId: number, input: EpochInput): void;
  /** A search epoch: scalars taken from the metrics, the whole object kept as JSON. */
  recordSearch(runId: number, metrics: SearchEpochMetrics): void;
  /** Several epochs in one transaction (import, replay). */
  recordMany(runId: number, inputs: readonly EpochInput[]): void;
  list<M = unknown>(runId: number): EpochRecord<M>[];
  get<M = unknown>(runId: number, epoch: number): EpochRecord<M> | undefined;
  /** Scalars only, without parsing metrics JSON: what charts and tables need. */
  scalars(runId: number): EpochScalars[];
  /** Highest recorded epoch and how many there are. */
  progress(runId: number): { lastEpoch: number | null; count: number };
  /** Drop epochs after `epoch` (a resume that falls back to an older checkpoint redoes them); returns how many. */
  truncateAfter(runId: number, epoch: number): number;
}

export function searchEpochInput(m: SearchEpochMetrics): EpochInput {
  return {
    epoch: m.epoch,
    lr: m.lr,
    trainLoss: m.trainLoss,
    trainAcc: m.trainAcc,
    valLoss: m.valLoss,
    valAcc: m.valAcc,
    zeroRatio: { normal: m.zeroRatio.normal, reduce: m.zeroRatio.reduce },
    seconds: m.seconds,
    metrics: m,
  };
}

export function createEpochQueries(ctx: StoreContext): EpochQueries {
  const record = (runId: number, input: EpochInput): void => {
    if (!Number.isInteger(input.epoch) || input.epoch < 0) throw new InvalidInputError(`Epoch must be an integer ≥ 0, not ${input.epoch}.`);
    try {
      ctx.stmt(SQL.UPSERT_EPOCH).run({
        runId,
        epoch: input.epoch,
        lr: finiteOrNull(input.lr),
        trainLoss: finiteOrNull(input.trainLoss),
        trainAcc: finiteOrNull(input.trainAcc),
        valLoss: finiteOrNull(input.valLoss),
        valAcc: finiteOrNull(input.valAcc),
        testLoss: finiteOrNull(input.testLoss),
        testAcc: finiteOrNull(input.testAcc),
        zeroNormal: finiteOrNull(input.zeroRatio?.normal),
        zeroReduce: finiteOrNull(input.zeroRatio?.reduce),
        seconds: finiteOrNull(input.seconds),
        metricsJson: toJson(input.metrics),
        now: ctx.now(),
      });
    } catch (err) {
      if (isForeignKeyFailure(err)) throw new NotFoundError('run', runId);
      throw err;
    }
  };

  const recordMany = ctx.write((runId: number, inputs: readonly EpochInput[]) => {
    for (const input of inputs) record(runId, input);
  });

  return {
    record,
    recordSearch: (runId, metrics) => record(runId, searchEpochInput(metrics)),
    recordMany: (runId, inputs) => recordMany(runId, inputs),
    list: <M>(runId: number) => ctx.stmt<{ runId: number }, EpochRow>(SQL.LIST_EPOCHS).all({ runId }).map((r) => toEpochRecord<M>(r)),
    get: <M>(runId: number, epoch: number) => {
      const row = ctx.stmt<{ runId: number; epoch: number }, EpochRow>(SQL.GET_EPOCH).get({ runId, epoch });
      return row && toEpochRecord<M>(row);
    },
    scalars: (runId) => ctx.stmt<{ runId: number }, EpochScalarRow>(SQL.LIST_SCALARS).all({ runId }).map(toEpochScalars),
    progress: (runId) => {
      const row = ctx.stmt<{ runId: number }, { epoch: number | null; n: number }>(SQL.LAST_EPOCH).get({ runId })!;
      return { lastEpoch: row.epoch, count: row.n };
    },
    truncateAfter: (runId, epoch) => ctx.stmt(SQL.DELETE_AFTER).run({ runId, epoch }).changes,
  };
}
