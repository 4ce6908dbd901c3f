// Many writers on one home at once: four detached searches, a dataset import and a `runs list` loop.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processVerdict } from '../../src/main/jobs/process-identity';
import { homePaths } from '../../src/main/store/home';
import { idxFiles } from '../fixtures/app/idx-files';
import { expectTrueRecord, killAll, nasw, openHome, tempHome, waitUntil } from './fault-harness';

const EPOCHS = 2;
const SEARCH = ['--dataset', 'synthetic', '--cells', '2', '--channels', '4', '--nodes', '2', '--epochs', String(EPOCHS), '--steps', '2', '--batch', '8', '--backend', 'wasm', '--threads', '1'];
const LOCKED = /database is locked|SQLITE_BUSY/i;

const home = tempHome('nasw-one-home-');
afterAll(() => {
  // The detached drainer is not ours to track: stop it by its lock, if it is still the one that wrote it.
  const lock = path.join(homePaths(home).home, 'queue.lock');
  if (fs.existsSync(lock)) {
    const [pid, start] = fs.readFileSync(lock, 'utf8').trim().split(/ (.*)/s);
    if (processVerdict({ pid: Number(pid), start: start ?? null }) === 'same') process.kill(Number(pid), 'SIGKILL');
  }
  killAll();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('one home, many processes', () => {
  it('records four queued searches, an import and a list loop without "database is locked"; every run completes with every epoch once', async () => {
    const idx = path.join(home, 'incoming', 'tiny-idx');
    fs.mkdirSync(idx, { recursive: true });
    for (const [name, bytes] of Object.entries(idxFiles(40, 12))) fs.writeFileSync(path.join(idx, name), bytes);

    let listing = true;
    const lists: { code: number | null; stderr: string }[] = [];
    const loop = (async () => {
      while (listing) lists.push(await nasw(home, 'runs', 'list', '--json'));
    })();

    const [imported, ...submitted] = await Promise.all([
      nasw(home, 'dataset', 'import', idx, '--name', 'tiny', '--json'),
      ...[1, 2, 3, 4].map((seed) => nasw(home, 'search', ...SEARCH, '--seed', String(seed), '--name', `seed ${seed}`, '--detach', '--json')),
    ]);
    for (const r of [imported!, ...submitted]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(LOCKED);
    }
    const ids = submitted.map((r) => r.lines.at(-1)!.runId as number);
    expect(new Set(ids).size).toBe(4);

    const store = openHome(home);
    try {
      await waitUntil('the four searches end', () => ids.every((id) => ['completed', 'failed', 'interrupted', 'cancelled'].includes(store.runs.require(id).status)), 280_000, 500);
      listing = false;
      await loop;
      expect(lists.length).toBeGreaterThan(0);
      for (const l of lists) {
        expect(l.code, l.stderr).toBe(0);
        expect(l.stderr).not.toMatch(LOCKED);
      }
      for (const id of ids) {
        expect(expectTrueRecord(store, id, 'completed')).toBe(EPOCHS);
      }
      expect(store.datasets.get('tiny')).toMatchObject({ name: 'tiny' });
    } finally {
      listing = false;
      await loop;
      store.close();
    }
  });
});
