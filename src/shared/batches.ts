// What the engine reads data through: addressable batches, so any (epoch, step) can be replayed on resume.

/** A batch of normalised images, NHWC float32, with integer class labels. */
export interface ImageBatch {
  x: Float32Array;
  y: Int32Array;
  /** Images in this batch (the last batch of an epoch may be short). */
  n: number;
  shape: readonly [number, number, number];
}

export interface BatchSource {
  /** Images in this split. */
  readonly size: number;
  /** Image shape [height, width, channels]. */
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  /** Batches in one epoch (the last may be short, as PyTorch's DataLoader without drop_last). */
  stepsPerEpoch(batchSize: number): number;
  /**
   * The `step`-th batch of `epoch`: order and augmentation are fixed by (seed, epoch, step), so a
   * resumed run reads exactly the batches an uninterrupted one would.
   */
  batch(epoch: number, step: number, batchSize: number): Promise<ImageBatch>;
}

/** The three views a search needs of one dataset's training split. */
export interface SearchData {
  /** Weight half (augmented). */
  w: BatchSource;
  /** α half (augmented, as the reference); also the search's validation figures. */
  alpha: BatchSource;
  /** Held-out subset for decorrelation discretization (not augmented). */
  discretize: BatchSource;
  classNames: string[];
}
