// Typed queries over retrain results: save a run's final figures, read them per run or per genotype.
import { finiteOrNull, toJson } from '../column-codecs';
import type { StoreContext } from '../context';
import { InvalidInputError, NotFoundError } from '../errors';
import { isForeignKeyFailure } from '../sqlite-errors';
import type { NewRetrainResult, RetrainResult } from './retrain-result';
import { toRetrainResult, type RetrainResultRow } from './row';
import * as SQL from './statements';

export interface RetrainResultQueries {
  save(input: NewRetrainResult): RetrainResult;
  get(runId: number): RetrainResult | undefined;
  /** Every retrain of one genotype, best first (seeds, settings). */
  listByGenotype(genotypeId: number): RetrainResult[];
}

const fraction = (x: number | null | undefined, what: string): number | null => {
  if (x === undefined || x === null) return null;
  if (!(x >= 0 && x <= 1)) throw new InvalidInputError(`${what} must be a fraction in [0, 1], not ${x}.`);
  return x;
};

export function createRetrainResultQueries(ctx: StoreContext): RetrainResultQueries {
  const get = (runId: number) => {
    const row = ctx.stmt<{ runId: number }, RetrainResultRow>(SQL.GET_RESULT).get({ runId });
    return row && toRetrainResult(row);
  };

  const save = (input: NewRetrainResult): RetrainResult => {
    const top1Error = fraction(input.top1Error, 'Top-1 error');
    if (top1Error === null) throw new InvalidInputError('A retrain result needs its top-1 error.');
    input.perClassAccuracy.forEach((a, i) => fraction(finiteOrNull(a), `Accuracy of class ${i}`));
    try {
      ctx.stmt(SQL.UPSERT_RESULT).run({
        runId: input.runId,
        genotypeId: input.genotypeId,
        top1Error,
        top5Error: fraction(input.top5Error, 'Top-5 error'),
        perClassJson: toJson(input.perClassAccuracy),
        confusionJson: input.confusion ? toJson(input.confusion) : null,
        params: input.params ?? null,
        madds: input.madds ?? null,
        now: ctx.now(),
      });
    } catch (err) {
      if (isForeignKeyFailure(err)) throw new InvalidInputError(`Run #${input.runId} or genotype #${input.genotypeId} does not exist.`);
      throw err;
    }
    const saved = get(input.runId);
    if (!saved) throw new NotFoundError('retrain result of run', input.runId);
    return saved;
  };

  return {
    save,
    get,
    listByGenotype: (genotypeId) => ctx.stmt<{ genotypeId: number }, RetrainResultRow>(SQL.LIST_BY_GENOTYPE).all({ genotypeId }).map(toRetrainResult),
  };
}
