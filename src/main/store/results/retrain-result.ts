// Retrain result DTOs: a trained network's final test figures. Errors and accuracies are fractions in [0, 1].

export interface RetrainResult {
  runId: number;
  genotypeId: number;
  top1Error: number;
  top5Error: number | null;
  /** Test accuracy per class, in the dataset's class order. */
  perClassAccuracy: number[];
  /** Counts, rows = true class, columns = predicted class. */
  confusion: number[][] | null;
  params: number | null;
  madds: number | null;
  createdAt: string;
}

export type NewRetrainResult = Omit<RetrainResult, 'createdAt' | 'top5Error' | 'confusion' | 'params' | 'madds'> &
  Partial<Pick<RetrainResult, 'top5Error' | 'confusion' | 'params' | 'madds'>>;
