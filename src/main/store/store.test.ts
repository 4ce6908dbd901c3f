import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from './store';
import { DARTS_V2, DARTS_V2_TEXT, fakeSha256, sampleSearchConfig, sampleSearchMetrics } from './testing/fixtures';
import { useTempStore } from './testing/temp-store';

const t = useTempStore();

describe('openStore', () => {
  it('sets WAL, foreign keys, synchronous=NORMAL and a busy timeout', () => {
    expect(t.store.settings()).toEqual({ journalMode: 'wal', foreignKeys: true, synchronous: 1, busyTimeoutMs: 5000 });
    expect(t.open({ busyTimeoutMs: 250 }).settings().busyTimeoutMs).toBe(250);
  });

  it('creates the data folder if needed, and explains a file that is not a database', () => {
    const nested = path.join(t.dir, 'a', 'b', 'workbench.sqlite');
    const s = openStore(nested);
    expect(fs.existsSync(nested)).toBe(true);
    expect(s.integrityCheck()).toEqual([]);
    s.close();
    s.close(); // idempotent
    const junk = path.join(t.dir, 'junk.sqlite');
    fs.writeFileSync(junk, 'this is not sqlite, just text that is long enough to look like a header '.repeat(20));
    expect(() => openStore(junk)).toThrow(/Cannot open the run database .*junk\.sqlite: file is not a database/);
  });
});

describe('transactions and run detail', () => {
  it('rolls back everything in a transaction that throws', () => {
    expect(() =>
      t.store.transaction(() => {
        const id = t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 't' }).id;
        t.store.epochs.recordSearch(id, sampleSearchMetrics(0));
        throw new Error('worker died mid-write');
      }),
    ).toThrow('worker died mid-write');
    expect(t.store.runs.list()).toEqual([]);
  });

  it('returns a run with its epochs, checkpoints, genotypes, result and children', () => {
    const { runs, epochs, checkpoints, genotypes } = t.store;
    const id = runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 't' }).id;
    const c = t.store.transaction(() => {
      epochs.recordSearch(id, sampleSearchMetrics(0));
      return checkpoints.add(id, { epoch: 0, path: '/r/1/0', bytes: 1, sha256: fakeSha256('0') });
    });
    const g = genotypes.add({ runId: id, checkpointId: c.id, method: 'value', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
    const child = runs.create({ kind: 'retrain', parentId: id, config: { genotypeId: g.id }, dataset: 'cifar10', seed: 0, backendChoice: 'cpu', codeVersion: 't' });
    const detail = t.store.runDetail(id)!;
    expect(detail.run).toMatchObject({ id, epochsDone: 1 });
    expect(detail.epochs.map((e) => e.epoch)).toEqual([0]);
    expect(detail.checkpoints).toEqual([c]);
    expect(detail.genotypes).toEqual([g]);
    expect(detail.result).toBeNull();
    expect(detail.children.map((r) => r.id)).toEqual([child.id]);
    expect(t.store.runDetail(999)).toBeUndefined();
  });
});

describe('integrityCheck', () => {
  it('reports a dangling foreign key (and is empty once repaired)', () => {
    t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 't' });
    const raw = new Database(t.dbPath);
    raw.pragma('foreign_keys = OFF'); // (better-sqlite3 turns them on by default) a careless tool could do this
    raw.prepare(`INSERT INTO epochs (run_id, epoch, metrics_json, recorded_at) VALUES (77, 0, '{}', 0)`).run();
    const problems = t.store.integrityCheck();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/foreign key: epochs row \d+ refers to a missing runs row/);
    raw.prepare('DELETE FROM epochs WHERE run_id = 77').run();
    raw.close();
    expect(t.store.integrityCheck()).toEqual([]);
  });
});
