// Typed queries over registered datasets.
import { toJson } from '../column-codecs';
import type { StoreContext } from '../context';
import { InvalidInputError, NotFoundError } from '../errors';
import { isUniqueFailure } from '../sqlite-errors';
import type { Dataset, NewDataset } from './dataset';
import { toDataset, type DatasetRow } from './row';
import * as SQL from './statements';

export interface DatasetQueries {
  /** Register an imported dataset; a name already taken is refused (remove it first to re-import). */
  register(input: NewDataset): Dataset;
  get(name: string): Dataset | undefined;
  list(): Dataset[];
  /** Forget a dataset (runs keep its name). */
  remove(name: string): void;
}

function check(input: NewDataset): void {
  if (!input.name.trim()) throw new InvalidInputError('A dataset needs a name.');
  for (const [k, v] of Object.entries(input.shape)) {
    if (!Number.isInteger(v) || v <= 0) throw new InvalidInputError(`Dataset ${input.name}: ${k} must be a positive integer, not ${v}.`);
  }
  if (input.classes.length === 0) throw new InvalidInputError(`Dataset ${input.name} has no classes.`);
  for (const [split, counts] of Object.entries(input.classCounts)) {
    if (counts.length !== input.classes.length) {
      throw new InvalidInputError(`Dataset ${input.name}: split "${split}" has ${counts.length} class counts for ${input.classes.length} classes.`);
    }
    if (counts.some((c) => !Number.isInteger(c) || c < 0)) throw new InvalidInputError(`Dataset ${input.name}: split "${split}" has a count that is not a whole number.`);
  }
}

export function createDatasetQueries(ctx: StoreContext): DatasetQueries {
  const get = (name: string) => {
    const row = ctx.stmt<{ name: string }, DatasetRow>(SQL.GET_BY_NAME).get({ name });
    return row && toDataset(row);
  };

  const register = (input: NewDataset): Dataset => {
    check(input);
    try {
      ctx.stmt(SQL.INSERT_DATASET).run({
        name: input.name,
        format: input.format,
        ...input.shape,
        classesJson: toJson(input.classes),
        classCountsJson: toJson(input.classCounts),
        checksum: input.checksum,
        cachePath: input.cachePath,
        source: input.source ?? null,
        now: ctx.now(),
      });
    } catch (err) {
      if (isUniqueFailure(err)) throw new InvalidInputError(`A dataset named "${input.name}" is already registered.`);
      throw err;
    }
    return get(input.name)!;
  };

  return {
    register,
    get,
    list: () => ctx.stmt<[], DatasetRow>(SQL.LIST_DATASETS).all().map(toDataset),
    remove: (name) => {
      if (ctx.stmt(SQL.DELETE_DATASET).run({ name }).changes === 0) throw new NotFoundError('dataset', name);
    },
  };
}
