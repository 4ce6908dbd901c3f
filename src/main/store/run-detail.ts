// A run with everything recorded about it, read as one consistent snapshot across the table groups.
import type { CheckpointQueries } from './checkpoints/queries';
import type { Checkpoint } from './checkpoints/checkpoint';
import type { StoreContext } from './context';
import type { EpochRecord } from './epochs/epoch';
import type { EpochQueries } from './epochs/queries';
import type { GenotypeQueries } from './genotypes/queries';
import type { StoredGenotype } from './genotypes/stored-genotype';
import type { RetrainResultQueries } from './results/queries';
import type { RetrainResult } from './results/retrain-result';
import type { RunQueries } from './runs/queries';
import type { RunSummary } from './runs/run';

export interface RunDetail<M = unknown> {
  run: RunSummary;
  epochs: EpochRecord<M>[];
  checkpoints: Checkpoint[];
  genotypes: StoredGenotype[];
  result: RetrainResult | null;
  /** Runs derived from this one (retrains of its genotypes, …). */
  children: RunSummary[];
}

export interface DetailSources {
  runs: RunQueries;
  epochs: EpochQueries;
  checkpoints: CheckpointQueries;
  genotypes: GenotypeQueries;
  results: RetrainResultQueries;
}

export function createRunDetail(ctx: StoreContext, q: DetailSources): <M = unknown>(id: number) => RunDetail<M> | undefined {
  // A deferred transaction that only reads: one snapshot, so a writer in another process cannot tear it.
  const read = ctx.db.transaction((id: number): RunDetail | undefined => {
    const run = q.runs.summary(id);
    if (!run) return undefined;
    return {
      run,
      epochs: q.epochs.list(id),
      checkpoints: q.checkpoints.list(id),
      genotypes: q.genotypes.listByRun(id),
      result: q.results.get(id) ?? null,
      children: q.runs.list({ parentId: id }),
    };
  });
  return <M>(id: number) => read.deferred(id) as RunDetail<M> | undefined;
}
