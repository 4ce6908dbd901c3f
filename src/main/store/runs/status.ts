// The run life cycle: which status may follow which. `completed` and `failed` are final.
import type { RunStatus } from './run';

/**
 * queued → running (started) | cancelled | failed (could not start)
 * running → completed | failed | cancelled (clean stop) | interrupted (process gone)
 * interrupted → running (resume) | queued (resume later) | cancelled (given up) | failed (cannot resume)
 * cancelled → running (resume) | queued (resume later)
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['completed', 'failed', 'cancelled', 'interrupted'],
  interrupted: ['running', 'queued', 'cancelled', 'failed'],
  cancelled: ['running', 'queued'],
  completed: [],
  failed: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` can be reached. */
export function predecessors(to: RunStatus): RunStatus[] {
  return (Object.keys(RUN_TRANSITIONS) as RunStatus[]).filter((from) => canTransition(from, to));
}

/** Statuses a resume may start from. */
export const RESUMABLE: readonly RunStatus[] = ['interrupted', 'cancelled'];

export function isFinal(status: RunStatus): boolean {
  return RUN_TRANSITIONS[status].length === 0;
}
