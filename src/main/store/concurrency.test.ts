import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sampleSearchConfig, sampleSearchMetrics } from './testing/fixtures';
import { useTempStore } from './testing/temp-store';

const t = useTempStore();
const here = path.dirname(fileURLToPath(import.meta.url));

describe('two connections (WAL)', () => {
  it('a reader keeps its snapshot and is not blocked while another connection writes', () => {
    const writer = t.store;
    const reader = t.open();
    const id = writer.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 't' }).id;
    writer.transaction(() => {
      for (let e = 0; e < 3; e++) writer.epochs.recordSearch(id, sampleSearchMetrics(e));
      // The write transaction is open and holds the write lock: the reader still reads, the old state.
      expect(reader.runs.summary(id)!.epochsDone).toBe(0);
      expect(reader.epochs.list(id)).toEqual([]);
    });
    expect(reader.runs.summary(id)!.epochsDone).toBe(3);
  });

  it('a second writer waits for the lock (busy timeout), and gets SQLITE_BUSY only past it', () => {
    const a = t.store;
    const b = t.open({ busyTimeoutMs: 100 });
    const id = a.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 't' }).id;
    let waited = 0;
    a.transaction(() => {
      a.epochs.recordSearch(id, sampleSearchMetrics(0));
      const started = performance.now();
      expect(() => b.epochs.recordSearch(id, sampleSearchMetrics(1))).toThrow(/database is locked/);
      waited = performance.now() - started;
    });
    expect(waited).toBeGreaterThanOrEqual(90);
    b.epochs.recordSearch(id, sampleSearchMetrics(1)); // lock free again
    expect(a.epochs.progress(id)).toEqual({ lastEpoch: 1, count: 2 });
  });

  it('another process writes epochs and checkpoints while this one reads and writes', async () => {
    const id = t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 't' }).id;
    const other = t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 't' }).id;
    const EPOCHS = 300;
    const child = fork(path.join(here, 'testing', 'epoch-writer.ts'), [t.dbPath, String(id), String(EPOCHS)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    let running = true;
    void exited.then(() => (running = false));
    const seen: number[] = [];
    let myEpoch = 0;
    while (running) {
      // Reads see whole transactions only: an epoch row always comes with its checkpoint.
      const detail = t.store.runDetail(id)!;
      expect(detail.checkpoints.length).toBe(detail.epochs.length);
      seen.push(detail.run.epochsDone);
      t.store.epochs.recordSearch(other, sampleSearchMetrics(myEpoch++)); // and this process writes too
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await exited, out).toBe(0);
    expect(out).toContain('done');
    expect(seen).toEqual([...seen].sort((x, y) => x - y)); // progress never goes back
    expect(new Set(seen).size).toBeGreaterThan(2); // we really read during the writes
    expect(t.store.runs.summary(id)).toMatchObject({ status: 'completed', epochsDone: EPOCHS, lastEpoch: EPOCHS - 1 });
    expect(t.store.epochs.progress(other).count).toBe(myEpoch);
  });
});
