// Who a pid is: a process's start time as a token, so a reused pid is never taken for a job's process.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** What the store keeps of a process (a job's, or its runner's). */
export interface ProcessRef {
  pid: number;
  /** From `processStartToken` when it was recorded; null where unknown (older rows, platforms without one). */
  start: string | null;
}

/** Is `ref` still the same process: the same one, gone, a different process now holding the pid, or can't tell. */
export type ProcessVerdict = 'same' | 'gone' | 'other' | 'unknown';

let bootId: string | undefined;

/**
 * An opaque token for when process `pid` started: null when no such process lives (a zombie counts as
 * gone), undefined when this platform cannot tell. Linux: the boot id and the start time in clock ticks
 * from /proc/<pid>/stat; other Unixes: `ps -o lstart=` (to the second).
 */
export function processStartToken(pid: number): string | null | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (process.platform === 'linux') {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH' ? null : undefined;
    }
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    const start = fields[22 - 3];
    if (!start || !/^\d+$/.test(start)) return undefined;
    bootId ??= readBootId();
    return `linux:${bootId}:${start}`;
  }
  if (process.platform === 'win32') return undefined;
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out ? `ps:${out}` : null;
  } catch (e) {
    // ps exits 1 when no process has the pid; a missing ps (ENOENT) means this system cannot tell.
    return (e as { status?: number }).status === 1 ? null : undefined;
  }
}

function readBootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown-boot';
  }
}

/** Whether `ref` is still the process that was recorded. Without a recorded token, a live pid is `unknown`. */
export function processVerdict(ref: ProcessRef): ProcessVerdict {
  const now = processStartToken(ref.pid);
  if (now === null) return 'gone';
  if (now === undefined) return pidExists(ref.pid) ? 'unknown' : 'gone';
  if (ref.start === null) return 'unknown';
  return now === ref.start ? 'same' : 'other';
}

/** This process's own reference (a runner records it beside its job's). */
export function ownProcess(): ProcessRef {
  return { pid: process.pid, start: processStartToken(process.pid) ?? null };
}

/** A process reference for a child just started (its token is read now, while it is surely alive). */
export function processRef(pid: number): ProcessRef {
  return { pid, start: processStartToken(pid) ?? null };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
