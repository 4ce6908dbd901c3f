// After a crash a run is not `running` forever, and `nasw cancel` never signals a process that is not the job's.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRef } from '../../src/main/jobs/process-identity';
import { searchConfig } from '../../src/shared/search-config';
import type { Store } from '../../src/main/store';
import { killAll, nasw, openHome, pidExists, tempHome } from './fault-harness';

const home = tempHome('nasw-stale-');
let store: Store;
const strangers: ChildProcess[] = [];

/** A live process that is not a job: what a reused pid points at. */
async function stranger(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  strangers.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

/** A dead pid: a process started and reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/** A search run recorded as running under the given processes (as a crashed runner leaves it). */
function runningRun(job: { pid: number; start: string | null }, runner?: { pid: number; start: string | null }): number {
  const run = store.runs.create({ kind: 'search', config: searchConfig({ data: { dataset: 'synthetic' } }), codeVersion: 'test' });
  store.runs.transition(run.id, 'running', { pid: job.pid, pidStart: job.start, runner });
  return run.id;
}

beforeAll(() => {
  store = openHome(home);
});
afterAll(() => {
  for (const s of strangers) s.kill('SIGKILL');
  killAll();
  expect(store.integrityCheck()).toEqual([]);
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('stale running records', () => {
  it('`runs list` and `runs show` record a run whose job and runner are gone as interrupted (resumable)', async () => {
    const id = runningRun({ pid: await deadPid(), start: 'linux:boot:1' }, { pid: await deadPid(), start: 'linux:boot:2' });
    const list = await nasw(home, 'runs', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const row = (JSON.parse(list.stdout) as { id: number; status: string; error: string }[]).find((r) => r.id === id)!;
    expect(row.status).toBe('interrupted');
    expect(row.error).toMatch(/is gone and so is the runner that recorded it/);
    expect(store.runs.require(id)).toMatchObject({ status: 'interrupted', pid: null });

    const id2 = runningRun({ pid: await deadPid(), start: null });
    const show = await nasw(home, 'runs', 'show', String(id2));
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`run ${id2} — .*\\(search, interrupted: its process \\d+ is gone`));
  });

  it('`nasw cancel` of a run whose process is gone says so and records it interrupted (no bare kill ESRCH)', async () => {
    const id = runningRun({ pid: await deadPid(), start: 'linux:boot:3' });
    const r = await nasw(home, 'cancel', String(id));
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/ESRCH/);
    expect(r.stderr).toMatch(new RegExp(`run ${id} was no longer running: its job process \\d+ is gone\\. It is now recorded as interrupted; continue it with: nasw resume ${id}`));
    expect(store.runs.require(id).status).toBe('interrupted');
  });

  it('`nasw cancel` never signals another program that now holds the job\'s pid', async () => {
    const other = await stranger();
    const real = processRef(other.pid!).start!;
    // The recorded job had this pid but started at another time: the pid was reused.
    const id = runningRun({ pid: other.pid!, start: `${real}-earlier` });
    const r = await nasw(home, 'cancel', String(id));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`its job process ${other.pid} has ended \\(that pid now belongs to another program, which was left alone\\)`));
    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
    expect(pidExists(other.pid!)).toBe(true);
    expect(store.runs.require(id).status).toBe('interrupted');
  });

  it('leaves a run whose job just ended to its live runner, which records the outcome itself', async () => {
    const runner = await stranger(); // stands in for a live runner process
    const id = runningRun({ pid: await deadPid(), start: 'linux:boot:4' }, processRef(runner.pid!));
    const list = await nasw(home, 'runs', 'list', '--json');
    expect((JSON.parse(list.stdout) as { id: number; status: string }[]).find((r) => r.id === id)!.status).toBe('running');
    const r = await nasw(home, 'cancel', String(id));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`run ${id} is finishing: .* its runner \\(process ${runner.pid}\\) is recording how it ended`));
    expect(pidExists(runner.pid!)).toBe(true);
    // Once the runner is gone too, the next reader records it.
    runner.kill('SIGKILL');
    await new Promise((resolve) => runner.once('exit', resolve));
    const again = await nasw(home, 'runs', 'list', '--json');
    expect((JSON.parse(again.stdout) as { id: number; status: string }[]).find((r) => r.id === id)!.status).toBe('interrupted');
  });
});
