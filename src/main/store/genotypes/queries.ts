// Typed queries over genotypes: record one derived or imported, read them back by run.
import { genotypeSchema } from '../../../shared/genotype';
import { toJson } from '../column-codecs';
import type { StoreContext } from '../context';
import { InvalidInputError, NotFoundError } from '../errors';
import { isForeignKeyFailure } from '../sqlite-errors';
import { toStoredGenotype, type GenotypeRow } from './row';
import * as SQL from './statements';
import { GENOTYPE_METHODS, type NewGenotype, type StoredGenotype } from './stored-genotype';

export interface GenotypeQueries {
  add(input: NewGenotype): StoredGenotype;
  get(id: number): StoredGenotype | undefined;
  listByRun(runId: number): StoredGenotype[];
  listImported(): StoredGenotype[];
  /** Refused while retrain results refer to it. */
  remove(id: number): void;
}

const count = (n: number | null | undefined, what: string): number | null => {
  if (n === undefined || n === null) return null;
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(`Genotype ${what} must be a whole number ≥ 0, not ${n}.`);
  return n;
};

export function createGenotypeQueries(ctx: StoreContext): GenotypeQueries {
  const get = (id: number) => {
    const row = ctx.stmt<{ id: number }, GenotypeRow>(SQL.GET_GENOTYPE).get({ id });
    return row && toStoredGenotype(row);
  };

  const add = ctx.write((input: NewGenotype): StoredGenotype => {
    if (!(GENOTYPE_METHODS as readonly string[]).includes(input.method)) throw new InvalidInputError(`Unknown genotype method "${input.method}".`);
    const runId = input.runId ?? null;
    const checkpointId = input.checkpointId ?? null;
    if (runId === null && input.method !== 'imported') throw new InvalidInputError(`A ${input.method} genotype needs the run it was derived from.`);
    const parsed = genotypeSchema.safeParse(input.genotype);
    if (!parsed.success) throw new InvalidInputError(`Invalid genotype: ${parsed.error.message}`);
    if (!input.text.trim()) throw new InvalidInputError('A genotype needs its text form.');
    if (checkpointId !== null) {
      const owner = ctx.stmt<{ id: number }, { run_id: number }>(SQL.CHECKPOINT_RUN).get({ id: checkpointId });
      if (!owner) throw new NotFoundError('checkpoint', checkpointId);
      if (owner.run_id !== runId) throw new InvalidInputError(`Checkpoint #${checkpointId} belongs to run #${owner.run_id}, not ${runId === null ? 'an imported genotype' : `run #${runId}`}.`);
    }
    try {
      const info = ctx.stmt(SQL.INSERT_GENOTYPE).run({
        runId,
        checkpointId,
        method: input.method,
        name: input.name ?? null,
        text: input.text,
        genotypeJson: toJson(parsed.data),
        scoresJson: input.scores === undefined || input.scores === null ? null : toJson(input.scores),
        params: count(input.params, 'parameter count'),
        madds: count(input.madds, 'multiply-add count'),
        now: ctx.now(),
      });
      return get(Number(info.lastInsertRowid))!;
    } catch (err) {
      if (isForeignKeyFailure(err)) throw new NotFoundError('run', runId ?? 0);
      throw err;
    }
  });

  const remove = ctx.write((id: number): void => {
    const n = ctx.stmt<{ id: number }, { n: number }>(SQL.RESULT_COUNT).get({ id })!.n;
    if (n > 0) throw new InvalidInputError(`Genotype #${id} has ${n} retrain result(s); delete those runs first.`);
    if (ctx.stmt(SQL.DELETE_GENOTYPE).run({ id }).changes === 0) throw new NotFoundError('genotype', id);
  });

  return {
    add: (input) => add(input),
    get,
    listByRun: (runId) => ctx.stmt<{ runId: number }, GenotypeRow>(SQL.LIST_BY_RUN).all({ runId }).map(toStoredGenotype),
    listImported: () => ctx.stmt<[], GenotypeRow>(SQL.LIST_IMPORTED).all().map(toStoredGenotype),
    remove: (id) => remove(id),
  };
}
