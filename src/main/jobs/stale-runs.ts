// Which `running` runs nobody runs any more (job process and runner both gone): those become `interrupted`.
import type { ReconciledRun, RecordedProcess, RunProcesses, Store } from '../store';
import { ownProcess, processVerdict, type ProcessRef } from './process-identity';

/** Job processes that runners in this process have started and not yet seen exit. */
const ourChildren = new Set<number>();
let self: ProcessRef | undefined;

export function trackJobProcess(pid: number): void {
  ourChildren.add(pid);
}

export function untrackJobProcess(pid: number): void {
  ourChildren.delete(pid);
}

/** This process as runners record it. */
export function runnerSelf(): ProcessRef {
  self ??= ownProcess();
  return self;
}

/** Alive as recorded: the same process, or a live pid whose identity cannot be checked (older rows). */
function lives(p: RecordedProcess): boolean {
  const v = processVerdict(p);
  return v === 'same' || v === 'unknown';
}

/**
 * A running run is attended while its job process lives (it stops itself if its runner dies) or while
 * its runner lives (it records the job's exit itself, so reading a just-exited job as gone would race
 * it). A runner in this very process attends only the jobs it has not yet seen exit.
 */
export function isAttended(p: RunProcesses): boolean {
  if (p.job && ourChildren.has(p.job.pid)) return true;
  const me = runnerSelf();
  if (p.runner && p.runner.pid === me.pid && p.runner.start === me.start) return false;
  return (p.job !== null && lives(p.job)) || (p.runner !== null && lives(p.runner));
}

/** Record unattended running runs as interrupted (resumable); call before showing or acting on statuses. */
export function reconcileStaleRuns(store: Store): ReconciledRun[] {
  return store.runs.reconcile(isAttended);
}
