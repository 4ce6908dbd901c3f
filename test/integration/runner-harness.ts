// A JobRunner over a fresh home and store for one test file: real job processes, every event kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { JobEvent } from '../../src/shared/jobs';
import { JobRunner } from '../../src/main/jobs/job-runner';
import { readSearchCheckpoint } from '../../src/main/nas/search-state';
import { openStore, type Store } from '../../src/main/store';
import { homePaths } from '../../src/main/store/home';

export interface RunnerHarness {
  readonly home: string;
  readonly store: Store;
  readonly runner: JobRunner;
  readonly events: JobEvent[];
  /** The first event (already seen or still to come) matching `pred`. */
  waitFor(pred: (e: JobEvent) => boolean, timeoutMs?: number): Promise<JobEvent>;
  /** The newest checkpoint's α (normal then reduce). */
  lastAlpha(runId: number): number[];
}

/** Registers beforeAll/afterAll: the store must pass its integrity check when the file is done. */
export function useRunnerHarness(prefix: string, cancelGraceMs: number): RunnerHarness {
  const h = { events: [] as JobEvent[] } as { -readonly [K in keyof RunnerHarness]: RunnerHarness[K] };
  beforeAll(() => {
    h.home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    h.store = openStore(homePaths(h.home).database);
    h.runner = new JobRunner({ home: h.home, store: h.store, cancelGraceMs });
    h.runner.onEvent((e) => h.events.push(e));
  });
  afterAll(async () => {
    await h.runner.close();
    expect(h.store.integrityCheck()).toEqual([]);
    h.store.close();
    fs.rmSync(h.home, { recursive: true, force: true });
  });
  h.waitFor = (pred, timeoutMs = 280_000) => {
    const found = h.events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a job event')), timeoutMs);
      const off = h.runner.onEvent((e) => {
        if (pred(e)) {
          clearTimeout(timer);
          off();
          resolve(e);
        }
      });
    });
  };
  h.lastAlpha = (runId) => {
    const newest = h.store.checkpoints.list(runId)[0]!; // newest first
    const c = readSearchCheckpoint(fs.readFileSync(newest.path));
    return [...c.tensors.get('alpha/alpha_normal')!.data, ...c.tensors.get('alpha/alpha_reduce')!.data];
  };
  return h;
}

export const statusOf = (runId: number, status: string) => (e: JobEvent) => e.type === 'status' && e.runId === runId && e.status === status;
