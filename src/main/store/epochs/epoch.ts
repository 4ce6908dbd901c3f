// Epoch DTOs: the scalar figures lists and charts query, plus the full metrics object as emitted.

/** Scalars shared by every run kind; a figure the kind does not produce is null. */
export interface EpochScalars {
  epoch: number;
  lr: number | null;
  trainLoss: number | null;
  trainAcc: number | null;
  valLoss: number | null;
  valAcc: number | null;
  testLoss: number | null;
  testAcc: number | null;
  /** Mean `none` weight per cell type (search runs). */
  zeroRatio: { normal: number | null; reduce: number | null };
  seconds: number | null;
}

export interface EpochRecord<M = unknown> extends EpochScalars {
  runId: number;
  /** The whole metrics object as recorded (NaN and ±Infinity read back as null). */
  metrics: M;
  recordedAt: string;
}

/** What a worker records for one epoch; omitted scalars are stored as null. */
export interface EpochInput {
  epoch: number;
  lr?: number | null;
  trainLoss?: number | null;
  trainAcc?: number | null;
  valLoss?: number | null;
  valAcc?: number | null;
  testLoss?: number | null;
  testAcc?: number | null;
  zeroRatio?: { normal?: number | null; reduce?: number | null };
  seconds?: number | null;
  /** Any JSON-serialisable object: for a search, its SearchEpochMetrics. */
  metrics: object;
}
