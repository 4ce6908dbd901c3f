// Runs store-recorded jobs for the CLI: in the foreground with live progress, or queued for a detached drainer.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobEvent, JobSpec } from '../../shared/jobs';
import { JobRunner } from '../jobs/job-runner';
import { openStore, type Store } from '../store';
import { homePaths } from '../store/home';
import { bar, formatSeconds, type Output } from './output';

export function openHomeStore(home: string): Store {
  return openStore(homePaths(home).database);
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

/** How often a foreground command looks at its run's record (the fallback when another process runs it). */
const FOLLOW_MS = 1000;

/**
 * Run one job (submit or resume) in a runner owned by this process, printing its events; resolves with
 * the final status. The runner takes only this command's run, never another queued one. Should another
 * executor (a detached drainer, the app) start the run first, the command follows it in the store and
 * reports it. Ctrl-C asks the job to stop at the next step with a checkpoint (resumable).
 */
export async function runInForeground(
  home: string,
  out: Output,
  start: (runner: JobRunner) => Promise<number>,
  describe: (e: JobEvent) => string | null = defaultDescribe,
): Promise<{ runId: number; status: string; error?: string | null; store: Store }> {
  const store = openHomeStore(home);
  const runner = new JobRunner({ home, store, take: 'own' });
  let runId = -1;
  let onSigint: (() => void) | undefined;
  let follow: NodeJS.Timeout | undefined;
  // Events that come while `start` runs (a resume's warning about a bad checkpoint, the first statuses),
  // before the run's id is known: held, then shown once it is.
  const early: JobEvent[] = [];
  try {
    runner.reconcile();
    let settle!: (r: { status: string; error?: string | null }) => void;
    const done = new Promise<{ status: string; error?: string | null }>((resolve) => (settle = resolve));
    const show = (e: JobEvent): void => {
      if (e.runId !== runId && e.type !== 'genotype') return;
      // Warnings are shown whatever the command's own wording (describe) leaves out.
      const text = describe(e) ?? (e.type === 'log' && e.level !== 'info' ? `${e.level}: ${e.message}` : null);
      if (e.type === 'progress') out.progress({ event: 'progress', runId: e.runId, ...e.progress }, text ?? '');
      else if (text !== null) out.event({ event: e.type, ...e }, text);
      if (e.type === 'status' && e.runId === runId && TERMINAL.has(e.status)) settle({ status: e.status, error: e.error });
    };
    runner.onEvent((e) => (runId < 0 ? early.push(e) : show(e)));
    runId = await start(runner);
    for (const e of early.splice(0)) show(e);
    // The store is the truth: this also keeps the event loop alive until the run ends, whoever runs it.
    let followed = false;
    let epochsSeen = 0;
    follow = setInterval(() => {
      const run = store.runs.get(runId);
      if (!run) return settle({ status: 'failed', error: `run ${runId} was removed from the store` });
      if (runner.queue().running.includes(runId)) return;
      if (run.status === 'running' && !followed) {
        followed = true;
        out.event({ event: 'followed', runId, pid: run.pid }, `run ${runId} was started by another nasw process (pid ${run.pid}); following it`);
      }
      if (followed) {
        const rows = store.epochs.scalars(runId);
        for (const row of rows.slice(epochsSeen)) {
          const text = describe({ type: 'epoch', runId, epoch: row.epoch, metrics: row as unknown as Record<string, unknown> });
          if (text !== null) out.event({ event: 'epoch', runId, epoch: row.epoch, metrics: row }, text);
        }
        epochsSeen = Math.max(epochsSeen, rows.length);
      }
      if (TERMINAL.has(run.status)) settle({ status: run.status, error: run.error });
    }, FOLLOW_MS);
    onSigint = () => {
      if (!runner.queue().running.includes(runId)) {
        out.event({ event: 'detached', runId }, `run ${runId} is run by another process and goes on; stop it with: nasw cancel ${runId}`);
        settle({ status: store.runs.get(runId)?.status ?? 'unknown' });
        return;
      }
      out.event({ event: 'cancelling', runId }, `stopping run ${runId} at the next step (a checkpoint is kept; resume with: nasw resume ${runId})`);
      void runner.cancel(runId).catch(() => undefined);
    };
    process.once('SIGINT', onSigint);
    const r = await done;
    return { runId, ...r, store };
  } catch (e) {
    await runner.close();
    store.close();
    throw e;
  } finally {
    if (follow) clearInterval(follow);
    if (onSigint) process.off('SIGINT', onSigint);
    await runner.close();
  }
}

function defaultDescribe(e: JobEvent): string | null {
  switch (e.type) {
    case 'status':
      return `run ${e.runId}: ${e.status}${e.error ? ` — ${e.error}` : ''}`;
    case 'backend':
      return `backend ${e.backend.backend} (${e.backend.device}, ${e.backend.kind})${e.parameters ? `; ${(e.parameters / 1e6).toFixed(6)} M parameters` : ''}`;
    case 'progress': {
      const p = e.progress;
      return `epoch ${p.epoch + 1}/${p.epochs} ${bar((p.step + 1) / p.stepsPerEpoch)} step ${p.step + 1}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)} ETA ${formatSeconds(p.eta)}`;
    }
    case 'epoch': {
      const m = e.metrics as Record<string, number | { normal: number | null; reduce: number | null } | null>;
      const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '-');
      const pc = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(1)}%` : '-');
      const zr = m.zeroRatio as { normal: number | null; reduce: number | null } | undefined;
      const parts = [`epoch ${e.epoch + 1}: train loss ${f(m.trainLoss)} acc ${pc(m.trainAcc)}`];
      if (m.valLoss !== undefined) parts.push(`val loss ${f(m.valLoss)} acc ${pc(m.valAcc)}`);
      if (m.testTop1Error !== undefined) parts.push(`test top-1 error ${pc(m.testTop1Error)}`);
      if (zr) parts.push(`zero-ratio ${f(zr.normal)}/${f(zr.reduce)}`);
      parts.push(`${f(m.seconds)}s`);
      return parts.join(' | ');
    }
    case 'checkpoint':
      return null;
    case 'genotype':
      return e.text;
    case 'log':
      return e.level === 'info' ? null : `${e.level}: ${e.message}`;
  }
}

/** Queue a job and make sure a detached process drains the queue after this command exits. */
export async function submitDetached(home: string, spec: JobSpec): Promise<number> {
  const store = openHomeStore(home);
  try {
    // The runner here only records the run; `nasw queue drain` (detached) executes it.
    const id = await new JobRunner({ home, store }).enqueue(spec);
    spawnDrainer(home);
    return id;
  } finally {
    store.close();
  }
}

export function spawnDrainer(home: string): void {
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/nasw.js');
  const child = spawn(process.execPath, [bin, '--home', home, 'queue', 'drain'], { detached: true, stdio: 'ignore' });
  child.unref();
}
