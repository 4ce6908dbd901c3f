// The service behind the API contract: one handler per channel over the store, the job runner and the data cache.
import type { ApiHandlers, ApiRequest } from '../../shared/api/contract';
import { ApiError, issuesOf, type ApiIssue } from '../../shared/api/errors';
import type { ApiEventName, ApiEventPayload, JobEventDto } from '../../shared/api/events';
import {
  CANCELLABLE_STATUSES,
  RESUMABLE_STATUSES,
  completedEpochs,
  type ComputeDto,
  type DoctorSummaryDto,
  type GenotypeEntryDto,
  type JobProgressDto,
  type QueueDto,
  type QueueEntryDto,
  type SpaceDto,
} from '../../shared/api/dto';
import type { BackendInfoDto } from '../../shared/backend-info';
import type { JobEvent, JobSpec } from '../../shared/jobs';
import { RETRAIN_PRESETS, retrainConfigSchema, type RetrainConfigInput } from '../../shared/retrain-config';
import { mergeDeep, searchConfigSchema } from '../../shared/search-config';
import { SPACE_PRESETS, presetSpace, type SpacePresetName } from '../../shared/search-space';
import type { DatasetManifest } from '../data/manifest';
import { DatasetImports } from '../jobs/dataset-import';
import { nodeDoctorDeps, runDoctor } from '../jobs/doctor';
import { reconcileStaleRuns } from '../jobs/stale-runs';
import type { RunSummary, Store } from '../store';
import { NotFoundError } from '../store/errors';
import { compareEntry } from './compare';
import { genotypeArg, networkCounts, supernetCounts } from './counts';
import { datasetHandlers } from './datasets';
import { checkEvent } from './dispatch';
import type { JobRunnerPort } from './job-runner-port';
import { readEvaluation, readNetwork } from './retrain-files';
import { runDetailDto, runSummaryDto } from './run-dto';

export interface ApiServiceOptions {
  store: Store;
  runner: JobRunnerPort;
  home: string;
  mode: 'electron' | 'browser';
  /** Jobs the runner runs at once (for the queue display). */
  maxConcurrent?: number;
  appName?: string;
  version?: string;
  /** Dataset listing (default: the home's dataset cache). */
  listDatasets?: (dir: string) => Promise<DatasetManifest[]>;
  /** Told about an event that broke the contract (it is not sent). */
  onEventError?: (event: string, message: string) => void;
  /** Dataset imports (the owner closes them); default: a task list of the service's own, cancelled on dispose. */
  imports?: DatasetImports;
  /** The doctor's findings (default: runDoctor on this machine, without timing a matMul). */
  doctor?: () => Promise<DoctorSummaryDto>;
}

/** This machine's doctor report, reduced to what the status bar shows. */
async function machineDoctor(): Promise<DoctorSummaryDto> {
  const r = await runDoctor(nodeDoctorDeps(false));
  return { backends: r.backends, auto: 'error' in r.auto ? `none: ${r.auto.error}` : `${r.auto.backend} (${r.auto.device})`, summary: r.summary, install: r.install };
}

export type ApiEventListener = <E extends ApiEventName>(event: E, payload: ApiEventPayload<E>) => void;

export interface ApiService {
  readonly handlers: ApiHandlers;
  /** The data folder it serves (browser mode stages uploads under it); absent in test doubles. */
  readonly home?: string;
  /** Every contract event, already validated against its schema. */
  onEvent(listener: ApiEventListener): () => void;
  dispose(): void;
}

/** Issue paths of a nested config, prefixed for the form that sent it (`config.cells`). */
function prefixed(issues: ApiIssue[], prefix: string): ApiIssue[] {
  return issues.map((i) => ({ ...i, path: [prefix, i.path].filter(Boolean).join('.') }));
}

export function createApiService(opts: ApiServiceOptions): ApiService {
  const { store, runner, home } = opts;
  const imports = opts.imports ?? new DatasetImports({ store, home });
  let doctor: Promise<DoctorSummaryDto> | null = null;
  const listeners = new Set<ApiEventListener>();
  const progress = new Map<number, JobProgressDto>();
  const backends = new Map<number, BackendInfoDto>();
  let builtinsEnsured = false;

  const emit = <E extends ApiEventName>(event: E, payload: ApiEventPayload<E> | JobEvent): void => {
    const checked = checkEvent(event, payload);
    if (!checked.ok) {
      opts.onEventError?.(event, checked.message);
      return;
    }
    for (const l of listeners) {
      try {
        l(event, checked.payload as ApiEventPayload<E>);
      } catch {
        // A listener's failure (a closed socket, a destroyed window) must not stop the others.
      }
    }
  };

  const queue = (): QueueDto => {
    const active = store.runs.list({ status: ['running', 'queued'] });
    const entry = (r: RunSummary): QueueEntryDto => ({ runId: r.id, kind: r.kind, name: r.name, status: r.status, parentId: r.parentId, progress: progress.get(r.id) ?? null });
    return {
      maxConcurrent: opts.maxConcurrent ?? 1,
      running: active.filter((r) => r.status === 'running').map(entry),
      // The store lists newest first; the queue runs oldest first.
      queued: active
        .filter((r) => r.status === 'queued')
        .sort((a, b) => (a.queuedAt ?? a.createdAt).localeCompare(b.queuedAt ?? b.createdAt) || a.id - b.id)
        .map(entry),
    };
  };

  const compute = (): ComputeDto | null => {
    for (const r of store.runs.list({ status: ['running'] })) {
      const live = backends.get(r.id);
      if (live) return { ...live, runId: r.id, source: 'running' };
      if (r.backend && r.device && r.deviceKind) return { backend: r.backend, device: r.device, kind: r.deviceKind, notes: [], runId: r.id, source: 'running' };
    }
    const last = store.runs.list({ limit: 200 }).find((r) => r.backend && r.device && r.deviceKind);
    if (!last) return null;
    return { backend: last.backend!, device: last.device!, kind: last.deviceKind!, notes: backends.get(last.id)?.notes ?? [], runId: last.id, source: 'last-run' };
  };

  const unsubscribeImports = imports.onEvent((task) => emit('import', task));

  const unsubscribe = runner.onEvent((raw) => {
    // Only events that fit the contract change what the service reports.
    const checked = checkEvent('job', raw);
    if (!checked.ok) {
      opts.onEventError?.('job', checked.message);
      return;
    }
    const e = checked.payload as JobEventDto;
    if (e.type === 'progress') progress.set(e.runId, e.progress);
    if (e.type === 'backend') backends.set(e.runId, e.backend);
    emit('job', e);
    if (e.type === 'status') {
      if (e.status !== 'running') progress.delete(e.runId);
      emit('queue', queue());
    } else if (e.type === 'progress' || e.type === 'backend') {
      emit('queue', queue());
    }
  });

  const requireRun = (id: number) => {
    const run = store.runs.get(id);
    if (!run) throw new NotFoundError('run', id);
    return run;
  };

  const accepted = (runId: number) => ({ runId, status: store.runs.get(runId)?.status ?? 'queued' });

  const submit = async (spec: JobSpec) => {
    if (spec.kind === 'search') {
      // Validate here too, so the form gets field-level reasons before anything is queued.
      const parsed = searchConfigSchema.safeParse(spec.config ?? {});
      if (!parsed.success) {
        const issues = prefixed(issuesOf(parsed.error), 'config');
        throw new ApiError({ code: 'invalid', message: `The search config is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues });
      }
    }
    if (spec.kind === 'retrain') {
      // The runner lays the config over the CIFAR recipe with the genotype resolved: check the same here.
      const genotype = genotypeArg(spec.genotype);
      const parsed = retrainConfigSchema.safeParse(mergeDeep(RETRAIN_PRESETS.cifar as RetrainConfigInput, { ...(spec.config ?? {}), genotype }));
      if (!parsed.success) {
        const issues = prefixed(issuesOf(parsed.error), 'config');
        throw new ApiError({ code: 'invalid', message: `The retrain config is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues });
      }
      if (spec.parentId !== undefined) requireRun(spec.parentId);
    }
    if (spec.kind === 'discretize') checkDiscretizable(spec.searchRunId, spec.checkpoint ?? 'last');
    const runId = await runner.submit(spec);
    emit('queue', queue());
    return accepted(runId);
  };

  const checkDiscretizable = (searchRunId: number, checkpoint: 'last' | number) => {
    const run = requireRun(searchRunId);
    if (run.kind !== 'search') throw new ApiError({ code: 'invalid', message: `Run #${searchRunId} is a ${run.kind} run; only search runs can be discretized.` });
    const ckpts = store.checkpoints.list(searchRunId).filter((c) => c.valid);
    if (ckpts.length === 0) throw new ApiError({ code: 'conflict', message: `Run #${searchRunId} has no valid checkpoint yet.` });
    if (checkpoint !== 'last' && !ckpts.some((c) => completedEpochs(c) === checkpoint)) {
      throw new ApiError({ code: 'not-found', message: `Run #${searchRunId} has no valid checkpoint after ${checkpoint} epoch${checkpoint === 1 ? '' : 's'}.` });
    }
  };

  const handlers: ApiHandlers = {
    'system/doctor': async () => (doctor ??= (opts.doctor ?? machineDoctor)().catch((e: unknown) => {
      doctor = null; // ask again next time
      throw e;
    })),
    'system/info': async () => ({
      app: { name: opts.appName ?? 'NAS Workbench', version: opts.version ?? '0.0.0' },
      mode: opts.mode,
      home,
      platform: `${process.platform} ${process.arch}, Node ${process.versions.node}${process.versions.electron ? `, Electron ${process.versions.electron}` : ''}`,
      compute: compute(),
      queue: queue(),
    }),
    'runs/list': async (q: ApiRequest<'runs/list'>) => {
      reconcileStaleRuns(store); // runs of a crashed CLI or drainer read as interrupted, not running forever
      return store.runs.list(q).map(runSummaryDto);
    },
    'runs/get': async ({ id }) => {
      reconcileStaleRuns(store);
      const detail = store.runDetail(id);
      if (!detail) throw new NotFoundError('run', id);
      if (detail.run.kind !== 'retrain') return runDetailDto(detail);
      const [evaluation, network] = await Promise.all([readEvaluation(detail.run.folder), readNetwork(detail.run.folder)]);
      return runDetailDto(detail, { evaluation, network });
    },
    'runs/compare': async ({ ids }) => {
      const unique = [...new Set(ids)];
      const out = [];
      for (const id of unique) out.push(await compareEntry(store, home, id));
      return out;
    },
    'jobs/submit': async ({ spec }) => submit(spec),
    'jobs/cancel': async ({ runId }) => {
      const run = requireRun(runId);
      if (!CANCELLABLE_STATUSES.includes(run.status)) throw new ApiError({ code: 'conflict', message: `Run #${runId} is ${run.status}; only queued or running runs can be cancelled.` });
      await runner.cancel(runId);
      return accepted(runId);
    },
    'jobs/resume': async ({ runId }) => {
      const run = requireRun(runId);
      if (!RESUMABLE_STATUSES.includes(run.status)) throw new ApiError({ code: 'conflict', message: `Run #${runId} is ${run.status}; only interrupted or cancelled runs can be resumed.` });
      await runner.resume(runId);
      emit('queue', queue());
      return accepted(runId);
    },
    'jobs/discretize': async ({ searchRunId, checkpoint, method }) => submit({ kind: 'discretize', searchRunId, checkpoint, method }),
    'jobs/queue': async () => queue(),
    ...datasetHandlers({ store, home, imports, listDatasets: opts.listDatasets }),
    'spaces/list': async () => {
      if (!builtinsEnsured) {
        try {
          store.spaces.ensureBuiltins();
        } catch {
          // A read-only or busy store still lists what it has (and the presets below).
        }
        builtinsEnsured = true;
      }
      const saved: SpaceDto[] = store.spaces.list().map((s) => ({ ...s.space, builtin: s.builtin }));
      for (const name of Object.keys(SPACE_PRESETS) as SpacePresetName[]) {
        if (!saved.some((s) => s.name === name)) saved.push({ ...presetSpace(name), builtin: true });
      }
      return saved;
    },
    'spaces/save': async ({ space }) => {
      if (space.name in SPACE_PRESETS) throw new ApiError({ code: 'conflict', message: `"${space.name}" is a built-in preset; save your space under another name.`, issues: [{ path: 'space.name', message: 'a built-in preset name' }] });
      const saved = store.spaces.save(space);
      return { ...saved.space, builtin: saved.builtin };
    },
    'spaces/delete': async ({ name }) => {
      if (name in SPACE_PRESETS) throw new ApiError({ code: 'conflict', message: `"${name}" is a built-in preset; it cannot be deleted.` });
      store.spaces.remove(name);
      return { name };
    },
    'genotypes/list': async () => {
      const out: GenotypeEntryDto[] = [];
      const names = new Map<number, string>();
      for (const run of store.runs.list({ kind: 'search' })) {
        names.set(run.id, run.name);
        for (const g of store.genotypes.listByRun(run.id)) out.push({ ...g, runName: run.name });
      }
      for (const g of store.genotypes.listImported()) out.push({ ...g, runName: g.runId === null ? null : (names.get(g.runId) ?? null) });
      return out.sort((a, b) => b.id - a.id);
    },
    'counts/supernet': async ({ space, dataset, inputShape, numClasses, stem, stemMultiplier }) => supernetCounts(home, { space, dataset, inputShape, numClasses, stem, stemMultiplier }),
    'counts/network': async ({ genotype, cells, channels, auxiliary, dataset, inputShape, numClasses, stem, stemMultiplier }) =>
      networkCounts(home, { genotype: genotypeArg(genotype), cells, channels, auxiliary, dataset, inputShape, numClasses, stem, stemMultiplier }),
  };

  return {
    handlers,
    home,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      unsubscribe();
      unsubscribeImports();
      if (!opts.imports) void imports.close();
      listeners.clear();
    },
  };
}
