// Typed queries over checkpoint records: register, find the newest good one, mark bad or verified.
import type { StoreContext } from '../context';
import { InvalidInputError, NotFoundError } from '../errors';
import { isForeignKeyFailure } from '../sqlite-errors';
import type { Checkpoint, NewCheckpoint } from './checkpoint';
import { toCheckpoint, type CheckpointRow } from './row';
import * as SQL from './statements';

export interface CheckpointQueries {
  /** Register a written file (call after the atomic rename). The same path again replaces its record. */
  add(runId: number, input: NewCheckpoint): Checkpoint;
  get(id: number): Checkpoint | undefined;
  /** Newest progress first (invalid ones included, flagged). */
  list(runId: number): Checkpoint[];
  /** What a resume should load: the newest checkpoint not marked invalid. */
  latestValid(runId: number): Checkpoint | undefined;
  /**
   * Missing file or hash mismatch: resume will skip it from now on. `keptAs`: where the bad file was moved;
   * the record follows it, so a new file of the old name gets a record of its own.
   */
  markInvalid(id: number, reason: string, keptAs?: string): void;
  /** The file was re-hashed and matches. */
  markValid(id: number): void;
  /** Forget a record (its file was pruned); genotypes that named it keep themselves, without the link. */
  remove(id: number): void;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function createCheckpointQueries(ctx: StoreContext): CheckpointQueries {
  const get = (id: number) => {
    const row = ctx.stmt<{ id: number }, CheckpointRow>(SQL.GET_CHECKPOINT).get({ id });
    return row && toCheckpoint(row);
  };

  const add = ctx.write((runId: number, input: NewCheckpoint): Checkpoint => {
    const step = input.step ?? null;
    if (!Number.isInteger(input.epoch) || input.epoch < 0) throw new InvalidInputError(`Checkpoint epoch must be an integer ≥ 0, not ${input.epoch}.`);
    if (step !== null && (!Number.isInteger(step) || step < 0)) throw new InvalidInputError(`Checkpoint step must be an integer ≥ 0 or null, not ${step}.`);
    if (!Number.isInteger(input.bytes) || input.bytes < 0) throw new InvalidInputError(`Checkpoint size must be a byte count, not ${input.bytes}.`);
    if (!SHA256.test(input.sha256)) throw new InvalidInputError(`Checkpoint hash must be 64 lower-case hex digits (SHA-256), not "${input.sha256}".`);
    let changes: number;
    try {
      changes = ctx.stmt(SQL.UPSERT_CHECKPOINT).run({ runId, ...input, step, now: ctx.now() }).changes;
    } catch (err) {
      if (isForeignKeyFailure(err)) throw new NotFoundError('run', runId);
      throw err;
    }
    const row = ctx.stmt<{ path: string }, CheckpointRow>(SQL.GET_BY_PATH).get({ path: input.path })!;
    if (changes === 0) throw new InvalidInputError(`Checkpoint file ${input.path} is already registered to run #${row.run_id}, not #${runId}.`);
    return toCheckpoint(row);
  });

  const mark = (sql: string, id: number, more: Record<string, string | null> = {}) => {
    if (ctx.stmt(sql).run({ id, now: ctx.now(), ...more }).changes === 0) throw new NotFoundError('checkpoint', id);
  };

  return {
    add: (runId, input) => add(runId, input),
    get,
    list: (runId) => ctx.stmt<{ runId: number }, CheckpointRow>(SQL.LIST_CHECKPOINTS).all({ runId }).map(toCheckpoint),
    latestValid: (runId) => {
      const row = ctx.stmt<{ runId: number }, CheckpointRow>(SQL.LATEST_VALID).get({ runId });
      return row && toCheckpoint(row);
    },
    markInvalid: (id, reason, keptAs) => {
      if (!reason) throw new InvalidInputError('Say why the checkpoint is invalid.');
      mark(SQL.MARK_INVALID, id, { reason, keptAs: keptAs ?? null });
    },
    markValid: (id) => mark(SQL.MARK_VALID, id),
    remove: (id) => {
      if (ctx.stmt(SQL.DELETE_CHECKPOINT).run({ id }).changes === 0) throw new NotFoundError('checkpoint', id);
    },
  };
}
