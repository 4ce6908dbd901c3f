// A foreground `nasw search|retrain|discretize` beside queued detached runs runs (or follows) its own run, never another's.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInForeground } from '../../src/main/cli/job-session';
import type { Output } from '../../src/main/cli/output';
import { JobRunner } from '../../src/main/jobs/job-runner';
import { openStore } from '../../src/main/store';
import { homePaths } from '../../src/main/store/home';
import { searchConfig } from '../../src/shared/search-config';

const bin = path.resolve(__dirname, '../../bin/nasw.js');
const homes: string[] = [];
afterAll(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })));

const newHome = () => {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-fg-'));
  homes.push(h);
  return h;
};

/** One `nasw` process: its exit code and output (a non-zero exit is a result here, not an exception). */
function nasw(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, '--home', home, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const SMALL = ['--dataset', 'synthetic', '--cells', '2', '--channels', '4', '--epochs', '2', '--steps', '2', '--batch', '8', '--backend', 'wasm', '--threads', '1'];

const lastJson = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, unknown>;

/** Runs as `nasw search --detach` leaves them when no drainer has got to them yet: recorded and queued. */
async function queueTwo(home: string): Promise<number[]> {
  const store = openStore(homePaths(home).database);
  try {
    const runner = new JobRunner({ home, store });
    const config = searchConfig({ space: { cells: 2, channels: 4 }, epochs: 2, stepsPerEpoch: 2, batchSize: 8, backend: 'wasm', threads: 1 });
    return [await runner.enqueue({ kind: 'search', config }), await runner.enqueue({ kind: 'search', config })];
  } finally {
    store.close();
  }
}

function statuses(home: string): Map<number, string> {
  const store = openStore(homePaths(home).database);
  try {
    return new Map(store.runs.list().map((r) => [r.id, r.status]));
  } finally {
    store.close();
  }
}

describe('foreground commands beside a queue', () => {
  it('search, discretize and retrain each run their own job and leave the queued ones queued', async () => {
    const home = newHome();
    const queued = await queueTwo(home);

    const search = await nasw(home, 'search', ...SMALL, '--json');
    expect(search.code, search.stderr).toBe(0);
    const done = lastJson(search.stdout);
    expect(done).toMatchObject({ event: 'done', status: 'completed', epochs: 2 });
    const own = Number(done.runId);
    expect(queued).not.toContain(own);
    // Every event it printed is about its own run.
    const events = search.stdout.trim().split('\n').map((l) => JSON.parse(l) as { runId?: number });
    expect(events.every((e) => e.runId === own)).toBe(true);

    const disc = await nasw(home, 'discretize', String(own), '--method', 'value', '--json');
    expect(disc.code, disc.stderr).toBe(0);
    expect(lastJson(disc.stdout)).toMatchObject({ runId: own, method: 'value' });

    const retrain = await nasw(home, 'retrain', '--genotype', 'DARTS_V2', '--cells', '3', '--channels', '4', '--epochs', '1', '--steps', '2', '--batch', '8', '--no-auxiliary', '--backend', 'wasm', '--json');
    expect(retrain.code, retrain.stderr).toBe(0);
    const retrained = lastJson(retrain.stdout);
    expect(retrained).toMatchObject({ event: 'done', status: 'completed' });
    expect(queued).not.toContain(Number(retrained.runId));

    const after = statuses(home);
    for (const id of queued) expect(after.get(id)).toBe('queued');
  });

  it('follows and reports its run when another executor (a drainer, the app) starts it first', async () => {
    const home = newHome();
    const otherStore = openStore(homePaths(home).database);
    const other = new JobRunner({ home, store: otherStore });
    const lines: Record<string, unknown>[] = [];
    const out: Output = { json: true, result: (v) => lines.push(v as Record<string, unknown>), progress: () => undefined, event: (e) => lines.push(e) };
    try {
      // The other runner records and starts the run itself, as a drainer that wins the race would.
      const r = await runInForeground(home, out, () => other.submit({ kind: 'search', config: searchConfig({ space: { cells: 2, channels: 4 }, epochs: 2, stepsPerEpoch: 2, batchSize: 8, backend: 'wasm', threads: 1 }) }));
      expect(r.status).toBe('completed');
      expect(lines[0]).toMatchObject({ event: 'followed', runId: r.runId });
      expect(lines.filter((l) => l.event === 'epoch').map((l) => l.epoch)).toEqual([0, 1]);
      r.store.close();
    } finally {
      await other.close();
      otherStore.close();
    }
  });
});
