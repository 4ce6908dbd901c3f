// The job runner: one process per job, a queue, progress re-broadcast, and crash-safe records in the store.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jobSpecSchema, type JobEvent, type JobSpec } from '../../shared/jobs';
import { resolveGenotype } from '../../shared/published-genotypes';
import { retrainConfig } from '../../shared/retrain-config';
import { searchConfigSchema, type SearchConfig } from '../../shared/search-config';
import { CODE_VERSION } from '../../shared/version';
import { InvalidTransitionError, type NewCheckpoint, type Run, type Store } from '../store';
import { homePaths } from '../store/home';
import { DiskReserve, isDiskFull } from './disk-full';
import { checkJobData } from './job-data-check';
import { sha256, type CheckpointFile } from './run-folder';
import type { GpuPageOpener } from './chromium-host/launchers';
import { processRef, processVerdict } from './process-identity';
import { isAttended, runnerSelf, trackJobProcess, untrackJobProcess } from './stale-runs';
import type { FromWorker, GpuPageRequest, ToWorker, WorkerJob } from './worker-protocol';


export interface JobRunnerOptions {
  home: string;
  store: Store;
  /** GPU-heavy jobs at once (default 1); the rest wait in queue order. */
  maxConcurrent?: number;
  /** The worker entry (default: worker.ts beside this file, run through tsx). */
  workerEntry?: string;
  /** Extra node flags for the worker (default: the tsx loader when the entry is TypeScript). */
  execArgv?: string[];
  /** How long a cancelled job may take to reach a step boundary before it is killed (ms). */
  cancelGraceMs?: number;
  /**
   * The desktop app's GPU job host pages (hidden windows): job processes on webgl/webgpu ask for them
   * over IPC. Without it they launch a headless Chromium themselves (CLI, browser mode).
   */
  gpuPages?: GpuPageOpener;
  /**
   * Which queued runs this runner starts: 'all' (the app, the detached drainer), or 'own': only runs
   * submitted or resumed through it (a foreground CLI command must never take another command's job).
   */
  take?: 'all' | 'own';
}

interface Active {
  runId: number;
  child: ChildProcess;
  /** A terminal message has arrived: the exit that follows is expected. */
  settled: 'completed' | 'failed' | 'cancelled' | null;
  error?: string;
  /** The store hit a full disk recording this job: it is stopped and recorded interrupted with this. */
  diskFull?: string;
  cancelRequested: boolean;
  cancelTimer?: NodeJS.Timeout;
  /** GPU host pages this job's process asked the app for (closed when it exits). */
  pages?: Map<number, { close(): void }>;
}

export class JobRunner {
  private readonly store: Store;
  private readonly home: string;
  private readonly maxConcurrent: number;
  private readonly active = new Map<number, Active>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  /** Runs submitted or resumed through this runner (what `take: 'own'` may start). */
  private readonly own = new Set<number>();
  private closed = false;
  /** Room for the store to record a run's end when its job fills the disk. */
  private readonly reserve: DiskReserve;

  constructor(private readonly opts: JobRunnerOptions) {
    this.store = opts.store;
    this.home = opts.home;
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 1);
    this.reserve = new DiskReserve(path.join(opts.home, 'disk-reserve.bin'));
  }

  onEvent(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener must not take the runner down.
      }
    }
  }

  /** Validate, record as queued, and start when a slot is free. Returns the new run's id. */
  async submit(input: JobSpec): Promise<number> {
    const id = await this.enqueue(input);
    this.own.add(id);
    this.pump();
    return id;
  }

  /** Validate and record as queued without starting it here (a detached drainer or the app runs it). */
  async enqueue(input: JobSpec): Promise<number> {
    const spec = jobSpecSchema.parse(input);
    const runsDir = homePaths(this.home).runs;
    let run: Run;
    if (spec.kind === 'search') {
      const config = searchConfigSchema.parse(spec.config);
      await checkJobData(this.home, { kind: 'search', config }); // refused before any run is recorded
      run = this.store.runs.create({ kind: 'search', config, name: spec.name, codeVersion: CODE_VERSION, folder: (id) => path.join(runsDir, `search-${id}`) });
    } else if (spec.kind === 'discretize') {
      const parent = this.store.runs.require(spec.searchRunId);
      if (parent.kind !== 'search') throw new Error(`run ${parent.id} is a ${parent.kind} run, not a search`);
      this.pickCheckpoint(parent.id, spec.checkpoint); // fail now, not in the worker
      run = this.store.runs.create({
        kind: 'discretize',
        parentId: parent.id,
        name: `${spec.method} discretization of ${parent.name}`,
        config: { checkpoint: spec.checkpoint, method: spec.method, images: spec.images ?? null },
        dataset: parent.dataset,
        space: parent.space,
        seed: parent.seed,
        backendChoice: parent.backendChoice,
        codeVersion: CODE_VERSION,
      });
    } else if (spec.kind === 'retrain') {
      const genotype = resolveGenotype(spec.genotype);
      const config = retrainConfig({ ...(spec.config as object), genotype } as Parameters<typeof retrainConfig>[0]);
      await checkJobData(this.home, { kind: 'retrain', config });
      run = this.store.runs.create({
        kind: 'retrain',
        parentId: spec.parentId ?? null,
        name: spec.name,
        config,
        dataset: config.data.dataset,
        seed: config.seed,
        backendChoice: config.backend,
        epochsPlanned: config.epochs,
        codeVersion: CODE_VERSION,
        folder: (id) => path.join(runsDir, `retrain-${id}`),
      });
    } else {
      const parent = this.store.runs.require(spec.retrainRunId);
      run = this.store.runs.create({
        kind: 'evaluate',
        parentId: parent.id,
        config: { checkpoint: spec.checkpoint },
        dataset: parent.dataset,
        seed: parent.seed,
        backendChoice: parent.backendChoice,
        codeVersion: CODE_VERSION,
      });
    }
    this.emit({ type: 'status', runId: run.id, status: 'queued' });
    return run.id;
  }

  /**
   * Cancel: a queued run leaves the queue; a running one stops at the next step with a final checkpoint.
   * A run another process runs (a detached drainer, the app, a foreground CLI) is asked with SIGINT, but
   * only once its job process is confirmed to be the one recorded: a pid alone may now be a stranger's.
   */
  async cancel(runId: number): Promise<void> {
    const run = this.store.runs.require(runId);
    if (run.status === 'queued') {
      this.store.runs.transition(runId, 'cancelled', { error: 'cancelled before it started' });
      this.emit({ type: 'status', runId, status: 'cancelled', error: 'cancelled before it started' });
      return;
    }
    const a = this.active.get(runId);
    if (!a) {
      if (run.status !== 'running') throw new Error(`run ${runId} is ${run.status}; only queued or running runs can be cancelled`);
      this.cancelElsewhere(runId);
      return;
    }
    a.cancelRequested = true;
    this.sendTo(a, { type: 'stop' });
    a.cancelTimer = setTimeout(() => a.child.kill('SIGKILL'), this.opts.cancelGraceMs ?? 60_000);
    a.cancelTimer.unref();
  }

  /** Put an interrupted or cancelled run back in the queue; it continues from its last good checkpoint. */
  async resume(runId: number): Promise<void> {
    await this.requeue(runId);
    this.own.add(runId);
    this.pump();
  }

  /** Resume without starting it here (a detached drainer or the app runs it). */
  async requeue(runId: number): Promise<void> {
    const run = this.store.runs.require(runId);
    if (run.status !== 'interrupted' && run.status !== 'cancelled') throw new Error(`run ${runId} is ${run.status}; only interrupted or cancelled runs can be resumed`);
    if (run.kind !== 'search' && run.kind !== 'retrain') throw new Error(`a ${run.kind} run cannot be resumed; start it again`);
    this.store.runs.transition(runId, 'queued');
    this.emit({ type: 'status', runId, status: 'queued' });
  }

  /**
   * Mark running runs that nobody runs any more (job process and runner gone: a crash, a power cut) as
   * interrupted, then start queued work. Call at start-up.
   */
  reconcile(): number {
    const gone = this.markUnattended();
    this.pump();
    return gone.length;
  }

  private markUnattended(): { id: number; reason: string }[] {
    const gone = this.store.runs.reconcile(isAttended);
    for (const r of gone) this.emit({ type: 'status', runId: r.id, status: 'interrupted', error: r.reason });
    return gone;
  }

  /** SIGINT to the recorded job process of a run this runner does not own, after checking who it is. */
  private cancelElsewhere(runId: number): void {
    const p = this.store.runs.processes(runId);
    const job = p?.job ?? null;
    const verdict = job ? processVerdict(job) : 'gone';
    if (job && verdict === 'same') {
      // The job process stops at its next step boundary; its runner records `cancelled`.
      process.kill(job.pid, 'SIGINT');
      return;
    }
    if (job && verdict === 'unknown') {
      throw new Error(`run ${runId}'s job was recorded as process ${job.pid} without its start time, so it cannot be told from another program that reused that pid; not signalling it. Stop it where it runs (Ctrl-C, or the app), or end process ${job.pid} yourself if you are sure it is the job.`);
    }
    const what = verdict === 'other' ? `its job process ${job!.pid} has ended (that pid now belongs to another program, which was left alone)` : `its job process${job ? ` ${job.pid}` : ''} is gone`;
    if (p && isAttended(p)) {
      throw new Error(`run ${runId} is finishing: ${what}, and its runner (process ${p.runner?.pid}) is recording how it ended; see: nasw runs show ${runId}`);
    }
    this.markUnattended();
    throw new Error(`run ${runId} was no longer running: ${what}. It is now recorded as interrupted; continue it with: nasw resume ${runId}`);
  }

  /** Runs in progress and in the queue, for status bars. */
  queue(): { running: number[]; queued: number[] } {
    return { running: [...this.active.keys()], queued: this.store.runs.queued().map((r) => r.id) };
  }

  /** Stop taking jobs; running ones are killed and recorded as interrupted (resumable). */
  async close(): Promise<void> {
    this.closed = true;
    const exits = [...this.active.values()].map(
      (a) =>
        new Promise<void>((resolve) => {
          a.child.once('exit', () => resolve());
          a.child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }

  /** Resolves when no job is running or queued (for tests and the CLI's foreground mode). */
  async idle(pollMs = 50): Promise<void> {
    while (this.active.size > 0 || this.store.runs.queued().length > 0) await new Promise((r) => setTimeout(r, pollMs));
  }

  private pump(): void {
    if (this.closed) return;
    while (this.active.size < this.maxConcurrent) {
      const next = this.store.runs.queued().find((r) => this.opts.take !== 'own' || this.own.has(r.id));
      if (!next) return;
      try {
        this.start(next);
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        this.store.runs.transition(next.id, 'failed', { error });
        this.emit({ type: 'status', runId: next.id, status: 'failed', error });
      }
    }
  }

  /**
   * The newest checkpoint of a run whose file still has the recorded hash; bad ones are marked invalid
   * and skipped, so resume falls back to the previous good one.
   */
  private goodCheckpoint(runId: number): { id: number; path: string; epoch: number; step: number | null } | undefined {
    for (;;) {
      const c = this.store.checkpoints.latestValid(runId);
      if (!c) return undefined;
      let reason: string | null = null;
      if (!fs.existsSync(c.path)) reason = 'file missing';
      else if (sha256(fs.readFileSync(c.path)) !== c.sha256) reason = 'hash mismatch (file corrupt)';
      if (!reason) return c;
      // The bad file is kept aside with its record, so the checkpoint the rerun writes under the old name
      // gets a record of its own instead of overwriting the evidence. The record id keeps the name unique;
      // a missing file leaves only its record, which moves off the name all the same.
      const aside = `${c.path}.${c.id}.${reason === 'file missing' ? 'missing' : 'invalid'}`;
      const keptAs = reason !== 'file missing' && moveAside(c.path, aside) ? aside : undefined;
      this.store.checkpoints.markInvalid(c.id, reason, aside);
      const kept = keptAs ? `; kept as ${path.basename(keptAs)}` : '';
      this.emit({ type: 'log', runId, level: 'warn', message: `checkpoint ${path.basename(c.path)} is unusable (${reason})${kept}; falling back to the previous one` });
    }
  }

  private pickCheckpoint(runId: number, which: 'last' | number): { id: number; path: string; epoch: number } {
    if (which === 'last') {
      const c = this.goodCheckpoint(runId);
      if (!c) throw new Error(`run ${runId} has no usable checkpoint yet`);
      return c;
    }
    // `which` counts completed epochs (as `nasw discretize --checkpoint N`); the store keys by epoch index.
    const c = this.store.checkpoints.list(runId).find((c) => c.epoch === which - 1 && c.step === null && c.valid);
    if (!c) throw new Error(`run ${runId} has no usable checkpoint after ${which} epochs`);
    return c;
  }

  private buildJob(run: Run): WorkerJob {
    const home = this.home;
    if (run.kind === 'search') {
      const resume = this.goodCheckpoint(run.id);
      if (resume) {
        // Epochs after the checkpoint will be recomputed: drop their rows so each epoch is recorded once.
        this.store.epochs.truncateAfter(run.id, lastCompleteEpoch(resume));
      }
      return { kind: 'search', runId: run.id, home, folder: run.folder!, config: run.config, resumeFrom: resume?.path };
    }
    if (run.kind === 'discretize') {
      const parent = this.store.runs.require(run.parentId!);
      const cfg = run.config as { checkpoint: 'last' | number; method: 'value' | 'decorrelation'; images: number | null };
      const ckpt = this.pickCheckpoint(parent.id, cfg.checkpoint);
      return { kind: 'discretize', runId: run.id, home, config: parent.config as SearchConfig, checkpointPath: ckpt.path, method: cfg.method, images: cfg.images ?? undefined };
    }
    if (run.kind === 'retrain') {
      const resume = this.goodCheckpoint(run.id);
      if (resume) this.store.epochs.truncateAfter(run.id, lastCompleteEpoch(resume));
      return { kind: 'retrain', runId: run.id, home, folder: run.folder!, config: run.config, resumeFrom: resume?.path };
    }
    const parent = this.store.runs.require(run.parentId!);
    const ckpt = this.pickCheckpoint(parent.id, (run.config as { checkpoint: 'last' | number }).checkpoint);
    return { kind: 'evaluate', runId: run.id, home, folder: parent.folder!, checkpointPath: ckpt.path };
  }

  private start(run: Run): void {
    this.reserve.ensure();
    const job = this.buildJob(run);
    const entry = this.opts.workerEntry ?? fileURLToPath(new URL('./worker.ts', import.meta.url));
    const execArgv = this.opts.execArgv ?? (entry.endsWith('.ts') ? ['--import', 'tsx'] : []);
    const env = this.opts.gpuPages ? { ...process.env, NASW_GPU_PAGES: 'parent' } : process.env;
    const child = fork(entry, [], { execArgv, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    if (child.pid === undefined) throw new Error('the job process could not be started');
    try {
      this.store.runs.transition(run.id, 'running', { pid: child.pid, pidStart: processRef(child.pid).start, runner: runnerSelf() });
    } catch (e) {
      // Another executor (the app, a detached drainer) took this run first: leave it to them.
      child.kill('SIGKILL');
      if (e instanceof InvalidTransitionError) return;
      throw e;
    }
    trackJobProcess(child.pid);
    const a: Active = { runId: run.id, child, settled: null, cancelRequested: false };
    this.active.set(run.id, a);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    this.emit({ type: 'status', runId: run.id, status: 'running' });
    child.on('message', (m: FromWorker) => this.onMessage(a, run, m));
    child.on('exit', (code, signal) => this.onExit(a, code, signal, stderr));
    child.on('error', (err) => {
      a.error = err.message;
    });
    this.sendTo(a, { type: 'start', job });
  }

  private sendTo(a: Active, msg: ToWorker): void {
    if (a.child.connected) a.child.send(msg);
  }

  private onMessage(a: Active, run: Run, m: FromWorker): void {
    const runId = a.runId;
    try {
      switch (m.type) {
        case 'backend':
          this.store.runs.setDevice(runId, { backend: m.backend.backend, device: m.backend.device, deviceKind: m.backend.kind });
          this.emit({ type: 'backend', runId, backend: m.backend, parameters: m.parameters });
          break;
        case 'progress':
          this.emit({ type: 'progress', runId, progress: m.progress });
          break;
        case 'epoch': {
          const ckpt = this.store.transaction(() => {
            if (run.kind === 'search') this.store.epochs.recordSearch(runId, m.metrics as never);
            else this.store.epochs.record(runId, { ...(m.metrics as object), epoch: m.metrics.epoch, metrics: m.metrics });
            return this.store.checkpoints.add(runId, storeCheckpoint(m.checkpoint));
          });
          this.emit({ type: 'epoch', runId, epoch: m.metrics.epoch, metrics: m.metrics });
          this.emit({ type: 'checkpoint', runId, checkpointId: ckpt.id, epoch: ckpt.epoch, step: ckpt.step ?? 0 });
          break;
        }
        case 'stopped': {
          const ckpt = this.store.checkpoints.add(runId, storeCheckpoint(m.checkpoint));
          this.emit({ type: 'checkpoint', runId, checkpointId: ckpt.id, epoch: ckpt.epoch, step: ckpt.step ?? 0 });
          a.settled = 'cancelled';
          break;
        }
        case 'genotype': {
          // A discretization's genotype belongs to the search run it reads, with its source checkpoint.
          const searchRunId = run.kind === 'discretize' ? run.parentId! : runId;
          const cfg = run.config as { checkpoint?: 'last' | number };
          const ckpt = run.kind === 'discretize' ? this.pickCheckpoint(searchRunId, cfg.checkpoint ?? 'last') : undefined;
          const g = this.store.genotypes.add({
            runId: searchRunId,
            checkpointId: ckpt?.id ?? null,
            method: m.genotype.method,
            text: m.genotype.text,
            genotype: m.genotype.genotype as never,
            scores: m.genotype.scores,
            params: m.genotype.params ?? null,
            madds: m.genotype.madds ?? null,
          });
          this.emit({ type: 'genotype', runId: searchRunId, genotypeId: g.id, text: g.text });
          break;
        }
        case 'result':
          if (m.result.kind === 'retrain') this.recordRetrainResult(runId, run, m.result);
          this.emit({ type: 'log', runId, level: 'info', message: `result: ${JSON.stringify(m.result).slice(0, 2000)}` });
          break;
        case 'done':
          a.settled = 'completed';
          break;
        case 'failed':
          a.settled = 'failed';
          a.error = m.error;
          break;
        case 'gpu-page':
          this.onGpuPage(a, m);
          break;
      }
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      // A full disk is no fault of the job: stop it and record it interrupted (resumable), not failed.
      if (isDiskFull(e) && (run.kind === 'search' || run.kind === 'retrain')) a.diskFull = `the disk is full: the store could not record the run (${why}); free space, then: nasw resume ${runId}`;
      else {
        a.settled = 'failed';
        a.error = `recording failed: ${why}`;
      }
      a.child.kill('SIGKILL');
    }
  }

  /** A finished retrain's final test figures, tied to its genotype (recorded as imported if new). */
  private recordRetrainResult(runId: number, run: Run, result: Record<string, unknown>): void {
    const text = String(result.genotypeText);
    const genotype =
      this.store.genotypes.listImported().find((g) => g.text === text) ??
      this.store.genotypes.add({ method: 'imported', name: (run.config as { genotypeName?: string }).genotypeName ?? null, text, genotype: result.genotype as never });
    const e = result.evaluation as { top1Error: number; top5Error: number; perClassAccuracy: (number | null)[]; confusion: number[][] };
    this.store.results.save({
      runId,
      genotypeId: genotype.id,
      top1Error: e.top1Error,
      top5Error: e.top5Error,
      // A class with no test images has no accuracy; the store keeps fractions, so record it as 0 only in the list.
      perClassAccuracy: e.perClassAccuracy.map((a) => a ?? 0),
      confusion: e.confusion,
      params: Number(result.parameters) || null,
      madds: Number(result.multiplyAdds) || null,
    });
  }

  /** A job process's request for a GPU host page (the app's hidden window): open or close it, report when gone. */
  private onGpuPage(a: Active, m: GpuPageRequest): void {
    const opener = this.opts.gpuPages;
    if (m.op === 'close') {
      a.pages?.get(m.id)?.close();
      a.pages?.delete(m.id);
      return;
    }
    if (!opener || !m.url) {
      this.sendTo(a, { type: 'gpu-page', op: 'error', id: m.id, error: 'this runner has no GPU host windows' });
      return;
    }
    opener
      .open(m.url, (reason) => this.sendTo(a, { type: 'gpu-page', op: 'gone', id: m.id, reason }))
      .then((page) => {
        (a.pages ??= new Map()).set(m.id, page);
        this.sendTo(a, { type: 'gpu-page', op: 'opened', id: m.id });
      })
      .catch((e: unknown) => this.sendTo(a, { type: 'gpu-page', op: 'error', id: m.id, error: e instanceof Error ? e.message : String(e) }));
  }

  private onExit(a: Active, code: number | null, signal: NodeJS.Signals | null, stderr: string): void {
    if (a.cancelTimer) clearTimeout(a.cancelTimer);
    if (a.child.pid !== undefined) untrackJobProcess(a.child.pid);
    for (const page of a.pages?.values() ?? []) page.close();
    this.active.delete(a.runId);
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    let status: 'completed' | 'failed' | 'cancelled' | 'interrupted';
    let error: string | null = null;
    // `done` arrives after everything it reports was recorded (IPC keeps order): a signal that lands
    // while the finished process tears down (a late `nasw cancel`) does not undo the run.
    if (a.settled === 'completed' && (code === 0 || signal !== null)) status = 'completed';
    else if (a.settled === 'failed') {
      status = 'failed';
      error = a.error ?? how;
    } else if (a.cancelRequested || a.settled === 'cancelled') {
      status = 'cancelled';
      error = a.settled === 'cancelled' ? 'cancelled by the user' : `cancelled by the user (process ${how})`;
    } else {
      status = 'interrupted';
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      error = a.diskFull ?? `the job process ${how}${tail ? `: ${tail}` : ''}`;
    }
    try {
      this.reserve.write(() => this.store.runs.transition(a.runId, status, error ? { error } : {}));
    } catch {
      // The store may already be closed on shutdown; reconcile() fixes the record next start.
    }
    this.emit({ type: 'status', runId: a.runId, status, error });
    this.pump();
  }
}

/**
 * Run-folder positions → the store's checkpoint convention: a checkpoint at position (e, 0) closes epoch
 * e − 1 (step null); one at (e, s > 0) is a mid-epoch stop after s steps of epoch e.
 */
function storeCheckpoint(c: CheckpointFile): NewCheckpoint {
  // (0, 0): stopped before the first step — a mid-epoch checkpoint of epoch 0 with no steps done.
  return c.step === 0 && c.epoch > 0 ? { epoch: c.epoch - 1, step: null, path: c.path, bytes: c.bytes, sha256: c.sha256 } : { epoch: c.epoch, step: c.step, path: c.path, bytes: c.bytes, sha256: c.sha256 };
}

/** Epoch rows a checkpoint covers: up to its epoch if it closes it, else up to the one before. */
function lastCompleteEpoch(c: { epoch: number; step: number | null }): number {
  return c.step === null ? c.epoch : c.epoch - 1;
}

/** Rename a bad checkpoint out of the way; false if it cannot be moved (it is then overwritten). */
function moveAside(file: string, aside: string): boolean {
  try {
    fs.renameSync(file, aside);
    return true;
  } catch {
    return false;
  }
}

