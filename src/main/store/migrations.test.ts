import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationError, SchemaTooNewError } from './errors';
import { checkMigrationList } from './migrate';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations';
import { openStore, type Store } from './store';
import { DARTS_V2, DARTS_V2_TEXT, sampleSearchConfig, sampleSearchMetrics } from './testing/fixtures';
import { makeTempDir } from './testing/temp-store';

let dir: string;
let opened: Store[];
const dbFile = () => path.join(dir, 'workbench.sqlite');
const open = (migrations?: readonly Migration[]) => {
  const s = openStore(dbFile(), { migrations });
  opened.push(s);
  return s;
};
const raw = (file = dbFile()) => new Database(file);

beforeEach(() => {
  dir = makeTempDir();
  opened = [];
});
afterEach(() => {
  try {
    for (const s of opened.filter((x) => x.isOpen())) expect(s.integrityCheck()).toEqual([]);
  } finally {
    for (const s of opened) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Every table's columns (name, type, notnull, default, pk), indexes and foreign keys: what the code relies on. */
function schemaOf(file: string) {
  const db = raw(file);
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
    return Object.fromEntries(
      tables.map((t) => [
        t,
        {
          columns: db.pragma(`table_info(${t})`),
          indexes: (db.pragma(`index_list(${t})`) as { name: string; unique: number }[]).map((i) => [i.name, i.unique, db.pragma(`index_info(${i.name})`)]).sort(),
          foreignKeys: db.pragma(`foreign_key_list(${t})`),
        },
      ]),
    );
  } finally {
    db.close();
  }
}

describe('the migration list', () => {
  it('is numbered 1…n without gaps, dated, uniquely named', () => {
    expect(() => checkMigrationList(MIGRATIONS)).not.toThrow();
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('rejects gaps, bad dates, dates going back and reused names', () => {
    const m = (version: number, date = '2026-11-29', name = `m${version}`): Migration => ({ version, date, name, up: () => {} });
    expect(() => checkMigrationList([m(1), m(3)])).toThrow(/expected 2/);
    expect(() => checkMigrationList([m(1, '29-11-2026')])).toThrow(/YYYY-MM-DD/);
    expect(() => checkMigrationList([m(1, '2026-11-29'), m(2, '2026-11-28')])).toThrow(/dated before/);
    expect(() => checkMigrationList([m(1, undefined, 'x'), m(2, undefined, 'x')])).toThrow(/used twice/);
  });
});

describe('migrations at open', () => {
  it('bring an empty database to the latest version in one go, and do nothing the second time', () => {
    const s = open();
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    expect(s.migration).toEqual({ from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => `${m.version} ${m.date} ${m.name}`) });
    expect(Object.keys(schemaOf(dbFile()))).toEqual(['checkpoints', 'datasets', 'epochs', 'genotypes', 'retrain_results', 'runs', 'search_spaces']);
    s.close();
    const again = open();
    expect(again.migration).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
  });

  it('from every older version give the same schema as from empty', () => {
    open().close();
    const fresh = schemaOf(dbFile());
    for (let k = 1; k < MIGRATIONS.length; k++) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir);
      open(MIGRATIONS.slice(0, k)).close();
      const s = open();
      expect(s.migration.from).toBe(k);
      s.close();
      expect(schemaOf(dbFile()), `from version ${k}`).toEqual(fresh);
    }
  });

  it('keep the data written at each older version (fixtures in that version’s SQL) and let later features use it', () => {
    const v1 = open(MIGRATIONS.slice(0, 1));
    expect(v1.schemaVersion).toBe(1);
    v1.close();

    // What a v1 build wrote, frozen as SQL: later code must not be needed to create an old fixture.
    const config = sampleSearchConfig();
    const metrics = sampleSearchMetrics(3);
    const db = raw();
    db.pragma('foreign_keys = ON');
    db.exec(`
      INSERT INTO datasets (name, format, channels, height, width, classes_json, class_counts_json, checksum, cache_path, created_at)
        VALUES ('cifar10', 'cifar10', 3, 32, 32, '["airplane","automobile"]', '{"train":[5000,5000]}', 'abc', '/d/cifar10', 1764417600000);
      INSERT INTO search_spaces (name, space_json, builtin, created_at, updated_at)
        VALUES ('mine', '{"name":"mine","ops":["none","skip_connect","sep_conv_3x3"],"nodes":4,"cells":8,"channels":16}', 0, 1, 1);
    `);
    db.prepare(
      `INSERT INTO runs (kind, name, dataset, space, config_json, seed, epochs_planned, backend_choice, backend, device, device_kind,
                         status, error, created_at, queued_at, started_at, finished_at, folder, code_version)
       VALUES ('search', 'old run', 'cifar10', 'S1', ?, 7, 50, 'auto', 'cpu', 'x86_64', 'cpu',
               'interrupted', 'process 99 is gone', 1764417600000, 1764417600000, 1764417601000, 1764417700000, '/runs/1', '0.0.9')`,
    ).run(JSON.stringify(config));
    db.prepare(
      `INSERT INTO epochs (run_id, epoch, lr, train_loss, train_acc, val_loss, val_acc, zero_ratio_normal, zero_ratio_reduce, seconds, metrics_json, recorded_at)
       VALUES (1, 3, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1764417650000)`,
    ).run(metrics.lr, metrics.trainLoss, metrics.trainAcc, metrics.valLoss, metrics.valAcc, metrics.zeroRatio.normal, metrics.zeroRatio.reduce, metrics.seconds, JSON.stringify(metrics));
    db.exec(`INSERT INTO checkpoints (run_id, epoch, step, path, bytes, sha256, created_at) VALUES (1, 3, NULL, '/runs/1/ckpt-3.bin', 1234, '${'b'.repeat(64)}', 1764417660000)`);
    db.close();

    // Then a v2 build ran on it and wrote v2 rows (again frozen SQL): an imported genotype, a second, corrupt checkpoint.
    expect(open(MIGRATIONS.slice(0, 2)).migration).toMatchObject({ from: 1, to: 2 });
    opened.pop()!.close();
    const db2 = raw();
    db2.prepare(`INSERT INTO genotypes (run_id, method, name, text, genotype_json, created_at) VALUES (NULL, 'imported', 'DARTS_V2', ?, ?, 1764417700000)`).run(DARTS_V2_TEXT, JSON.stringify(DARTS_V2));
    db2.exec(`INSERT INTO checkpoints (run_id, epoch, step, path, bytes, sha256, created_at, valid, invalid_reason) VALUES (1, 4, 10, '/runs/1/ckpt-4-10.bin', 99, '${'d'.repeat(64)}', 1764417670000, 0, 'sha256 mismatch')`);
    db2.close();

    const s = open();
    expect(s.migration).toMatchObject({ from: 2, to: SCHEMA_VERSION });
    expect(s.genotypes.listImported()).toEqual([expect.objectContaining({ name: 'DARTS_V2', genotype: DARTS_V2, runId: null })]);
    expect(s.checkpoints.list(1).map((c) => [c.epoch, c.step, c.valid])).toEqual([[4, 10, false], [3, null, true]]);
    expect(s.datasets.get('cifar10')).toMatchObject({ shape: { channels: 3, height: 32, width: 32 }, classes: ['airplane', 'automobile'], classCounts: { train: [5000, 5000] } });
    expect(s.spaces.get('mine')!.space.ops).toEqual(['none', 'skip_connect', 'sep_conv_3x3']);
    const run = s.runs.get(1)!;
    expect(run).toMatchObject({ kind: 'search', name: 'old run', status: 'interrupted', error: 'process 99 is gone', startedAt: '2025-11-29T12:00:01.000Z', codeVersion: '0.0.9' });
    expect(run.config).toEqual(config);
    expect(s.epochs.list(1)).toEqual([expect.objectContaining({ epoch: 3, valAcc: metrics.valAcc, metrics })]);
    expect(s.runs.summary(1)).toMatchObject({ epochsDone: 1, bestValAcc: metrics.valAcc, lastZeroRatio: metrics.zeroRatio });
    const ckpt = s.checkpoints.list(1).find((c) => c.epoch === 3);
    expect(ckpt).toMatchObject({ epoch: 3, step: null, bytes: 1234, valid: true, invalidReason: null, checkedAt: null });

    // v2 features on v1 rows.
    const g = s.genotypes.add({ runId: 1, checkpointId: ckpt!.id, method: 'value', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
    expect(g.checkpointId).toBe(ckpt!.id);
    s.checkpoints.markInvalid(ckpt!.id, 'sha256 mismatch');
    expect(s.checkpoints.latestValid(1)).toBeUndefined();
    // The run id sequence continues (AUTOINCREMENT survived).
    expect(s.runs.create({ kind: 'search', config, codeVersion: '0.1.0' }).id).toBe(2);
  });

  it('refuse a database newer than the code, without touching it', () => {
    const db = raw();
    db.exec('CREATE TABLE future (x INTEGER)');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const attempt = () => open();
    expect(attempt).toThrow(SchemaTooNewError);
    expect(attempt).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 1}.*knows versions up to ${SCHEMA_VERSION}.*newer`));
    const after = raw();
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });

  it('roll a failing migration back completely, leaving the previous version', () => {
    open().close();
    const broken: Migration = {
      version: SCHEMA_VERSION + 1,
      date: '2099-01-01',
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER); ALTER TABLE runs ADD COLUMN extra TEXT');
        db.exec('INSERT INTO no_such_table VALUES (1)');
      },
    };
    expect(() => open([...MIGRATIONS, broken])).toThrow(MigrationError);
    expect(() => open([...MIGRATIONS, broken])).toThrow(new RegExp(`Migration ${SCHEMA_VERSION + 1} \\(broken\\) failed and was rolled back: no such table`));
    const s = open();
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    const db = raw();
    expect(db.prepare(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'half_done'`).pluck().get()).toBe(0);
    expect((db.pragma('table_info(runs)') as { name: string }[]).some((c) => c.name === 'extra')).toBe(false);
    db.close();
  });

  it('roll back a migration that leaves a foreign key dangling', () => {
    open().close();
    const dangling: Migration = {
      version: SCHEMA_VERSION + 1,
      date: '2099-01-01',
      name: 'dangling',
      up(db) {
        db.pragma('defer_foreign_keys = ON'); // what a table rebuild does; the final check must still catch it
        db.exec(`INSERT INTO epochs (run_id, epoch, metrics_json, recorded_at) VALUES (999, 0, '{}', 0)`);
      },
    };
    expect(() => open([...MIGRATIONS, dangling])).toThrow(/rolled back: foreign key check failed/);
    expect(open().schemaVersion).toBe(SCHEMA_VERSION);
  });
});
