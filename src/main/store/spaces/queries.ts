// Typed queries over saved search spaces, including the built-in presets.
import { presetSpace, searchSpaceSchema, SPACE_PRESETS, type SearchSpaceInput, type SpacePresetName } from '../../../shared/search-space';
import { toFlag, toJson } from '../column-codecs';
import type { StoreContext } from '../context';
import { InvalidInputError, NotFoundError } from '../errors';
import { toSavedSpace, type SpaceRow } from './row';
import type { SavedSpace } from './saved-space';
import * as SQL from './statements';

export interface SpaceQueries {
  /** Validate and save a user space under its `name` (replacing a user space of that name). */
  save(space: SearchSpaceInput): SavedSpace;
  get(name: string): SavedSpace | undefined;
  /** Built-ins first, then by name. */
  list(): SavedSpace[];
  /** Remove a user space; built-ins are refused. */
  remove(name: string): void;
  /** Write the paper's presets S1–S3 as built-ins (inserted or refreshed); one transaction. */
  ensureBuiltins(): SavedSpace[];
}

export function createSpaceQueries(ctx: StoreContext): SpaceQueries {
  const get = (name: string) => {
    const row = ctx.stmt<{ name: string }, SpaceRow>(SQL.GET_SPACE).get({ name });
    return row && toSavedSpace(row);
  };

  const upsert = (input: SearchSpaceInput, builtin: boolean): SavedSpace => {
    const parsed = searchSpaceSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(`Invalid search space: ${parsed.error.message}`);
    const space = parsed.data;
    const changes = ctx.stmt(SQL.UPSERT_SPACE).run({ name: space.name, spaceJson: toJson(space), builtin: toFlag(builtin), now: ctx.now() }).changes;
    if (changes === 0) {
      throw new InvalidInputError(builtin ? `A user space is named "${space.name}", like a built-in one; rename it first.` : `"${space.name}" is a built-in search space; save yours under another name.`);
    }
    return get(space.name)!;
  };

  const ensureBuiltins = ctx.write((): SavedSpace[] =>
    (Object.keys(SPACE_PRESETS) as SpacePresetName[]).map((name) => upsert(presetSpace(name), true)),
  );

  return {
    save: (space) => upsert(space, false),
    get,
    list: () => ctx.stmt<[], SpaceRow>(SQL.LIST_SPACES).all().map(toSavedSpace),
    remove: (name) => {
      if (ctx.stmt(SQL.DELETE_USER_SPACE).run({ name }).changes > 0) return;
      if (get(name)) throw new InvalidInputError(`"${name}" is a built-in search space; it cannot be removed.`);
      throw new NotFoundError('search space', name);
    },
    ensureBuiltins: () => ensureBuiltins(),
  };
}
