// Typed queries over runs: create, read, list with summaries, status changes, reconciliation.
import { searchConfigSchema } from '../../../shared/search-config';
import { toJson, toIso } from '../column-codecs';
import type { StoreContext } from '../context';
import { InvalidInputError, InvalidTransitionError, NotFoundError } from '../errors';
import { toRun, toRunSummary, type RunRow, type RunSummaryRow } from './row';
import { RUN_KINDS, RUN_STATUSES, type NewRun, type ReconciledRun, type Run, type RunProcesses, type RunQuery, type RunStatus, type RunSummary, type TransitionDetails, type UsedDevice } from './run';
import { predecessors } from './status';
import * as SQL from './statements';

export interface RunQueries {
  create(input: NewRun): Run;
  get(id: number): Run | undefined;
  /** Like get, but a missing run is a NotFoundError. */
  require(id: number): Run;
  summary(id: number): RunSummary | undefined;
  list(query?: RunQuery): RunSummary[];
  /** Queued runs in queue order (oldest first). */
  queued(): Run[];
  /**
   * Change status if the life cycle allows it (see status.ts), atomically against other connections.
   * Entering `running` needs a pid and keeps the first start time; stopping clears the pid and stamps
   * finishedAt; `failed` and `interrupted` need a reason.
   */
  transition(id: number, to: RunStatus, details?: TransitionDetails): Run;
  /** Record the backend and device the worker really got. */
  setDevice(id: number, device: UsedDevice): void;
  rename(id: number, name: string): void;
  setFolder(id: number, folder: string): void;
  /** The processes behind a running run (undefined when it is not running). */
  processes(id: number): RunProcesses | undefined;
  /**
   * Running runs nobody is running any more become `interrupted` with the reason; their finish time is
   * their last sign of life (newest epoch or checkpoint). `isAlive` says whether the job process or the
   * runner that records it still lives (the runner records the outcome itself). Call at start-up and
   * before showing or acting on a run's status.
   */
  reconcile(isAlive: (p: RunProcesses) => boolean): ReconciledRun[];
  /** Delete a run and (cascade) its epochs, checkpoints rows, genotypes and result. Files are the caller's. */
  remove(id: number): void;
}

const ALL = -1;

export function createRunQueries(ctx: StoreContext): RunQueries {
  const getRow = (id: number) => ctx.stmt<{ id: number }, RunRow>(SQL.GET_RUN).get({ id });

  const get = (id: number): Run | undefined => {
    const row = getRow(id);
    return row && toRun(row);
  };

  const require = (id: number): Run => {
    const run = get(id);
    if (!run) throw new NotFoundError('run', id);
    return run;
  };

  const create = ctx.write((input: NewRun): Run => {
    if (!(RUN_KINDS as readonly string[]).includes(input.kind)) throw new InvalidInputError(`Unknown run kind "${input.kind}".`);
    let fields;
    if (input.kind === 'search') {
      const parsed = searchConfigSchema.safeParse(input.config);
      if (!parsed.success) throw new InvalidInputError(`Invalid search config: ${parsed.error.message}`);
      const c = parsed.data;
      fields = { dataset: c.data.dataset, space: c.space.name, seed: c.seed, epochsPlanned: c.epochs, backendChoice: c.backend, configJson: toJson(c) };
    } else {
      if (!Number.isInteger(input.seed)) throw new InvalidInputError(`Run seed must be an integer, not ${input.seed}.`);
      fields = {
        dataset: input.dataset,
        space: input.space ?? null,
        seed: input.seed,
        epochsPlanned: input.epochsPlanned ?? null,
        backendChoice: input.backendChoice,
        configJson: toJson(input.config),
      };
    }
    const info = ctx.stmt(SQL.INSERT_RUN).run({
      kind: input.kind,
      name: input.name ?? '',
      parentId: input.parentId ?? null,
      ...fields,
      now: ctx.now(),
      folder: typeof input.folder === 'string' ? input.folder : null,
      codeVersion: input.codeVersion,
    });
    const id = Number(info.lastInsertRowid);
    if (input.name === undefined || typeof input.folder === 'function') {
      ctx.stmt(SQL.SET_NAME_AND_FOLDER).run({
        id,
        name: input.name ?? `${input.kind} #${id}`,
        folder: typeof input.folder === 'function' ? input.folder(id) : (input.folder ?? null),
      });
    }
    return require(id);
  });

  const summary = (id: number): RunSummary | undefined => {
    const row = ctx.stmt<{ id: number }, RunSummaryRow>(SQL.GET_SUMMARY).get({ id });
    return row && toRunSummary(row, ctx.now());
  };

  const list = (query: RunQuery = {}): RunSummary[] => {
    const statuses = query.status === undefined ? null : toJson(typeof query.status === 'string' ? [query.status] : query.status);
    const now = ctx.now();
    return ctx
      .stmt<object, RunSummaryRow>(SQL.LIST_SUMMARIES)
      .all({
        kind: query.kind ?? null,
        statuses,
        parentId: query.parentId ?? null,
        dataset: query.dataset ?? null,
        limit: query.limit ?? ALL,
        offset: query.offset ?? 0,
      })
      .map((row) => toRunSummary(row, now));
  };

  const queued = (): Run[] => ctx.stmt<[], RunRow>(SQL.LIST_QUEUED).all().map(toRun);

  const refuse = (id: number, to: RunStatus): never => {
    const row = ctx.stmt<{ id: number }, { status: RunStatus }>(SQL.GET_STATUS).get({ id });
    if (!row) throw new NotFoundError('run', id);
    throw new InvalidTransitionError(id, row.status, to);
  };

  const transition = (id: number, to: RunStatus, details: TransitionDetails = {}): Run => {
    if (!(RUN_STATUSES as readonly string[]).includes(to)) throw new InvalidInputError(`Unknown run status "${to}".`);
    const from = toJson(predecessors(to));
    const now = ctx.now();
    let changes: number;
    if (to === 'running') {
      if (!Number.isInteger(details.pid) || details.pid! <= 0) throw new InvalidInputError(`Run #${id} cannot start without the pid of its process.`);
      changes = ctx.stmt(SQL.TO_RUNNING).run({
        id,
        from,
        now,
        pid: details.pid,
        pidStart: details.pidStart ?? null,
        runnerPid: details.runner?.pid ?? null,
        runnerStart: details.runner?.start ?? null,
        backend: details.device?.backend ?? null,
        device: details.device?.device ?? null,
        deviceKind: details.device?.deviceKind ?? null,
      }).changes;
    } else if (to === 'queued') {
      changes = ctx.stmt(SQL.TO_QUEUED).run({ id, from, now }).changes;
    } else {
      if ((to === 'failed' || to === 'interrupted') && !details.error) throw new InvalidInputError(`Run #${id} cannot become ${to} without a reason.`);
      changes = ctx.stmt(SQL.TO_STOPPED).run({ id, from, now, to, error: to === 'completed' ? null : (details.error ?? null) }).changes;
    }
    if (changes === 0) refuse(id, to);
    return require(id);
  };

  const setDevice = (id: number, device: UsedDevice): void => {
    if (ctx.stmt(SQL.SET_DEVICE).run({ id, ...device }).changes === 0) throw new NotFoundError('run', id);
  };

  const rename = (id: number, name: string): void => {
    if (!name.trim()) throw new InvalidInputError('A run name cannot be empty.');
    if (ctx.stmt(SQL.SET_NAME).run({ id, name }).changes === 0) throw new NotFoundError('run', id);
  };

  const setFolder = (id: number, folder: string): void => {
    if (ctx.stmt(SQL.SET_FOLDER).run({ id, folder }).changes === 0) throw new NotFoundError('run', id);
  };

  const processes = (id: number): RunProcesses | undefined => {
    const row = ctx.stmt<{ id: number }, ProcessRow>(SQL.GET_PROCESSES).get({ id });
    return row && toProcesses(row);
  };
  // Per run: read its last sign of life and interrupt it, only if still running under the same process.
  const interruptIfSame = ctx.write((row: ProcessRow, runner: string): ReconciledRun | null => {
    const { id, pid } = row;
    const now = ctx.now();
    const lastSeen = ctx.stmt<{ id: number }, { at: number }>(SQL.LAST_ACTIVITY).get({ id })!.at || now;
    const reason =
      pid === null
        ? `marked running without a process (found ${toIso(now)})`
        : `its process ${pid} is gone${runner} (last sign of life ${toIso(lastSeen)}, found ${toIso(now)})`;
    const changes = ctx.stmt(SQL.INTERRUPT_IF_SAME_PID).run({ id, pid, pidStart: row.pid_start, error: reason, finishedAt: Math.min(lastSeen, now) }).changes;
    return changes > 0 ? { id, pid, reason } : null;
  });
  // Processes are probed outside any transaction (a probe may run `ps`); the write lock is taken only
  // for a run found unattended, so a `runs list` loop does not contend with running jobs.
  const reconcile = (isAlive: (p: RunProcesses) => boolean): ReconciledRun[] => {
    const found: ReconciledRun[] = [];
    for (const row of ctx.stmt<[], ProcessRow>(SQL.LIST_RUNNING).all()) {
      const p = toProcesses(row);
      if (row.pid !== null && isAlive(p)) continue;
      const r = interruptIfSame(row, p.runner ? ` and so is the runner that recorded it (process ${p.runner.pid})` : '');
      if (r) found.push(r);
    }
    return found;
  };
  const remove = ctx.write((id: number): void => {
    const run = require(id);
    if (run.status === 'running') throw new InvalidInputError(`Run #${id} is running; cancel it before deleting it.`);
    const inUse = ctx.stmt<{ id: number }, { n: number }>(SQL.GENOTYPES_IN_USE_ELSEWHERE).get({ id })!.n;
    if (inUse > 0) throw new InvalidInputError(`Run #${id} has genotypes with ${inUse} retrain result(s) of other runs; delete those runs first.`);
    ctx.stmt(SQL.DELETE_RUN).run({ id });
  });

  return { create, get, require, summary, list, queued, transition, setDevice, rename, setFolder, processes, reconcile, remove };
}

interface ProcessRow {
  id: number;
  pid: number | null;
  pid_start: string | null;
  runner_pid: number | null;
  runner_start: string | null;
}

function toProcesses(row: ProcessRow): RunProcesses {
  return {
    id: row.id,
    job: row.pid === null ? null : { pid: row.pid, start: row.pid_start },
    runner: row.runner_pid === null ? null : { pid: row.runner_pid, start: row.runner_start },
  };
}
