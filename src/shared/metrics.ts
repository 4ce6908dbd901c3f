// Per-epoch figures a search emits: what the store records and the UI plots.

/** Per cell type (normal, reduce) values; a type absent from the network reads null. */
export interface PerCellType<T> {
  normal: T;
  reduce: T;
}

export interface SearchEpochMetrics {
  epoch: number;
  /** w learning rate used during this epoch. */
  lr: number;
  alphaFrozen: boolean;
  trainLoss: number;
  trainAcc: number;
  /** Loss and accuracy on the α half (the reference's validation figures). */
  valLoss: number;
  valAcc: number;
  /** Mean softmax weight of `none` over the edges (iDARTS Fig. 7); null if `none` is not in the space. */
  zeroRatio: PerCellType<number | null>;
  /** softmax(α) per edge, rows = edges, columns = the space's ops. */
  alphaSoftmax: PerCellType<number[][]>;
  /** ‖node output‖ / ‖c_{k-2}‖ per intermediate node, averaged over cells of the type (Fig. 3b). */
  nodeNorms: PerCellType<number[] | null>;
  steps: number;
  images: number;
  seconds: number;
}

/** Progress inside an epoch, for bars and ETAs. */
export interface StepProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  epochs: number;
  loss: number;
  /** Seconds since the run (or resume) began. */
  elapsed: number;
  /** Estimated seconds to the end of the run. */
  eta: number;
}

/** Per-epoch figures a retrain emits (train split with augmentation; test split in eval mode). */
export interface RetrainEpochMetrics {
  epoch: number;
  /** Learning rate used during this epoch. */
  lr: number;
  /** Drop-path probability used during this epoch (dropPath·epoch/epochs). */
  dropPathProb: number;
  /** The optimised objective: cross-entropy (with label smoothing) plus auxiliaryWeight × the auxiliary head's. */
  trainLoss: number;
  /** Top-1 accuracy of the main classifier on the training batches (drop-path and augmentation on). */
  trainAcc: number;
  /** Plain cross-entropy on the test split. */
  testLoss: number;
  testTop1Error: number;
  testTop5Error: number;
  steps: number;
  images: number;
  testImages: number;
  /** Seconds of training and testing in this epoch. */
  seconds: number;
}
