// The Compare view's data: per run its curves (scalars only), its genotype, and the metrics table's figures.
import type { CompareEntryDto, EpochScalarsDto, NetworkCountsDto, StoredGenotypeDto } from '../../shared/api/dto';
import { ApiError } from '../../shared/api/errors';
import { formatGenotype } from '../../shared/genotype-text';
import type { RetrainConfig } from '../../shared/retrain-config';
import { RETRAIN_PRESETS } from '../../shared/retrain-config';
import type { SearchConfig } from '../../shared/search-config';
import type { RunDetail, Store } from '../store';
import { NotFoundError } from '../store/errors';
import { networkCounts, supernetCounts } from './counts';
import { jsonSafe } from './dispatch';
import { readNetwork } from './retrain-files';
import { runSummaryDto } from './run-dto';

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Retrain epochs keep test error in their metrics; the curves want test accuracy. */
export function epochScalars(detail: RunDetail): EpochScalarsDto[] {
  return detail.epochs.map((e) => {
    const m = (e.metrics ?? {}) as Record<string, unknown>;
    const top1 = finite(m.testTop1Error);
    return {
      epoch: e.epoch,
      trainLoss: e.trainLoss,
      trainAcc: e.trainAcc,
      valLoss: e.valLoss,
      valAcc: e.valAcc,
      testLoss: e.testLoss ?? finite(m.testLoss),
      testAcc: e.testAcc ?? (top1 === null ? null : 1 - top1),
      zeroRatio: e.zeroRatio,
      seconds: e.seconds,
    };
  });
}

/** The retrain recipe a search's genotype is sized at: the ImageNet one for an ImageNet-stem search, else CIFAR's. */
function recipeFor(config: SearchConfig): { cells: number; channels: number; stem: 'cifar' | 'imagenet' } {
  const r = config.stem === 'imagenet' ? RETRAIN_PRESETS.imagenet : RETRAIN_PRESETS.cifar;
  return { cells: r.cells ?? 20, channels: r.channels ?? 36, stem: config.stem };
}

const shape = (c: NetworkCountsDto) => c.inputShape.join('×');

export async function compareEntry(store: Store, home: string, id: number): Promise<CompareEntryDto> {
  const detail = store.runDetail(id);
  if (!detail) throw new NotFoundError('run', id);
  const run = detail.run;
  if (run.kind !== 'search' && run.kind !== 'retrain') {
    throw new ApiError({ code: 'invalid', message: `Run #${id} is a ${run.kind} job; compare search or retrain runs.` });
  }
  const epochs = epochScalars(detail);
  const accuracy = run.kind === 'search' ? 'val' : 'test';
  const accs = epochs.map((e) => (accuracy === 'val' ? e.valAcc : e.testAcc));
  const known = accs.filter((a): a is number => a !== null);
  let genotype: StoredGenotypeDto | null = null;
  let network: NetworkCountsDto | null = null;
  let networkNote: string | null = null;
  let supernet: NetworkCountsDto | null = null;
  const tryCount = async <T>(fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch {
      // A dataset deleted since, or a genotype the engine cannot size: the table shows a dash.
      return null;
    }
  };
  if (run.kind === 'search') {
    const config = run.config as SearchConfig;
    genotype = [...detail.genotypes].sort((a, b) => b.id - a.id)[0] ?? null;
    supernet = await tryCount(() => supernetCounts(home, { space: config.space, stem: config.stem, stemMultiplier: config.stemMultiplier, nodeNormalization: config.nodeNormalization, dataset: run.dataset }));
    if (genotype) {
      const r = recipeFor(config);
      const g = genotype.genotype;
      network = await tryCount(() => networkCounts(home, { genotype: g, ...r, stemMultiplier: 3, auxiliary: false, dataset: run.dataset }));
      if (network) networkNote = `genotype #${genotype.id} retrained at ${r.cells} cells × ${r.channels} channels, ${shape(network)}`;
    }
  } else {
    const config = run.config as RetrainConfig;
    const text = formatGenotype(config.genotype);
    genotype = store.genotypes.listImported().find((g) => g.text === text) ?? {
      id: 0,
      runId: null,
      checkpointId: null,
      method: 'imported',
      name: config.genotypeName ?? null,
      text,
      genotype: config.genotype,
      scores: null,
      params: null,
      madds: null,
      createdAt: run.createdAt,
    };
    network =
      (await readNetwork(run.folder)) ??
      (await tryCount(() => networkCounts(home, { genotype: config.genotype, cells: config.cells, channels: config.channels, stem: config.stem, stemMultiplier: config.stemMultiplier, auxiliary: config.auxiliary, dataset: run.dataset })));
    if (network) networkNote = `${config.cells} cells × ${config.channels} channels, ${shape(network)}`;
  }
  return jsonSafe({
    run: runSummaryDto(run),
    epochs,
    genotype,
    figures: {
      accuracy,
      best: known.length ? Math.max(...known) : null,
      final: accs.length ? (accs[accs.length - 1] ?? null) : null,
      network,
      networkNote,
      supernet,
      trainSeconds: run.trainSeconds,
      elapsedSeconds: run.elapsedSeconds,
    },
  }) as CompareEntryDto;
}
