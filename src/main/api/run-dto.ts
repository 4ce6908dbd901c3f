// Store records → contract DTOs: runs without their process id, epochs with their metrics, a retrain's extras.
import type { EvaluationDto, NetworkCountsDto, RunDetailDto, RunSummaryDto } from '../../shared/api/dto';
import type { RunDetail, RunSummary } from '../store';

export function runSummaryDto(run: RunSummary): RunSummaryDto {
  const { pid: _pid, ...rest } = run;
  return {
    ...rest,
    config: run.config as Record<string, unknown>,
    nodeNormalization: run.kind === 'search' ? run.config.nodeNormalization : null,
  };
}

/** A retrain's evaluation and network counts come from its folder (see retrain-files.ts); other kinds have none. */
export function runDetailDto(d: RunDetail, extra: { evaluation?: EvaluationDto | null; network?: NetworkCountsDto | null } = {}): RunDetailDto {
  return {
    run: runSummaryDto(d.run),
    epochs: d.epochs.map(({ runId: _r, ...e }) => ({ ...e, metrics: (e.metrics ?? {}) as Record<string, unknown> })),
    checkpoints: d.checkpoints,
    genotypes: d.genotypes,
    children: d.children.map(runSummaryDto),
    result: d.result,
    evaluation: extra.evaluation ?? null,
    network: extra.network ?? null,
  };
}


