// Drives `nasw` in real processes on a temp home, and checks the run store after each fault.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { RunFolder } from '../../src/main/jobs/run-folder';
import { openStore, type RunStatus, type Store } from '../../src/main/store';
import { homePaths } from '../../src/main/store/home';

const bin = path.resolve(__dirname, '../../bin/nasw.js');

export type Line = Record<string, unknown>;

/** A `nasw` process still running: its JSON lines so far, and its exit. */
export interface Nasw {
  readonly child: ChildProcess;
  readonly lines: Line[];
  readonly stderr: () => string;
  /** The first line (seen or to come) matching `pred`. */
  line(pred: (l: Line) => boolean, timeoutMs?: number): Promise<Line>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every process group started here, killed at the end whatever happened (a job orphaned by a test included). */
const groups = new Set<number>();

/**
 * Start `nasw --home <home> …args` in its own process group (as a shell starts a foreground command),
 * so a signal to the group reaches the CLI and its job process as Ctrl-C does.
 */
export function startNasw(home: string, args: string[]): Nasw {
  const child = spawn(process.execPath, [bin, '--home', home, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  groups.add(child.pid!);
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!text) continue;
      try {
        lines.push(JSON.parse(text) as Line);
      } catch {
        lines.push({ text });
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const w of [...waiters]) w();
      resolve({ code, signal });
    }),
  );
  const line = (pred: (l: Line) => boolean, timeoutMs = 240_000) =>
    new Promise<Line>((resolve, reject) => {
      const check = () => {
        const found = lines.find(pred);
        if (found) {
          done();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`nasw ${args.join(' ')} ended without the line awaited; stdout: ${JSON.stringify(lines.slice(-5))}; stderr: ${err.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for a line from nasw ${args.join(' ')}; stderr: ${err.slice(-2000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { child, lines, stderr: () => err, line, exit };
}

/** Run `nasw` to its end: exit code and output (never throws on a non-zero exit). */
export async function nasw(home: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; lines: Line[] }> {
  const p = startNasw(home, args);
  const { code } = await p.exit;
  groups.delete(p.child.pid!);
  return { code, stdout: p.lines.map((l) => (typeof l.text === 'string' ? l.text : JSON.stringify(l))).join('\n'), stderr: p.stderr(), lines: p.lines };
}

/** Kill every process group started here (afterAll). */
export function killAll(): void {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

export function tempHome(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function openHome(home: string): Store {
  return openStore(homePaths(home).database);
}

export const isProgress = (l: Line) => l.event === 'progress';

export async function waitUntil(what: string, pred: () => boolean, timeoutMs = 240_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The store after a fault tells the truth: the database passes its integrity check, the run has the
 * status expected, no process while not running, and epoch rows 0…n−1 each exactly once — one per
 * checkpoint that closes an epoch, so a resume can rely on them. Returns n.
 */
export function expectTrueRecord(store: Store, runId: number, status: RunStatus): number {
  expect(store.integrityCheck()).toEqual([]);
  const run = store.runs.require(runId);
  expect(run.status, `run ${runId}: ${run.error ?? ''}`).toBe(status);
  if (status !== 'running') expect(run.pid).toBeNull();
  const epochs = store.epochs.list(runId).map((e) => e.epoch);
  expect(epochs).toEqual(epochs.map((_, i) => i));
  const closing = store.checkpoints
    .list(runId)
    .filter((c) => c.valid && c.step === null)
    .map((c) => c.epoch);
  if (closing.length) expect(Math.max(...closing)).toBe(epochs.length - 1);
  return epochs.length;
}

/** The epochs logged in the run folder's metrics.jsonl. */
export function folderEpochs(store: Store, runId: number): number[] {
  return new RunFolder(store.runs.require(runId).folder!).readMetrics<{ epoch: number }>().map((m) => m.epoch);
}

/** Positions of the checkpoint files in a run folder, oldest first, as `e<epoch>s<step>`. */
export function folderCheckpoints(store: Store, runId: number): string[] {
  return new RunFolder(store.runs.require(runId).folder!).checkpoints().map((c) => `e${c.epoch}s${c.step}`);
}
