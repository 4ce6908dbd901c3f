// Opens the run store: one SQLite file in WAL mode, migrated to the code's schema, with typed query modules.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createCheckpointQueries, type CheckpointQueries } from './checkpoints/queries';
import { createContext } from './context';
import { createDatasetQueries, type DatasetQueries } from './datasets/queries';
import { createEpochQueries, type EpochQueries } from './epochs/queries';
import { MigrationError, SchemaTooNewError } from './errors';
import { createGenotypeQueries, type GenotypeQueries } from './genotypes/queries';
import { migrate, userVersion, type MigrationReport } from './migrate';
import { MIGRATIONS, type Migration } from './migrations';
import { createRetrainResultQueries, type RetrainResultQueries } from './results/queries';
import { createRunDetail, type RunDetail } from './run-detail';
import { createRunQueries, type RunQueries } from './runs/queries';
import { createSpaceQueries, type SpaceQueries } from './spaces/queries';

export interface StoreOptions {
  /** The migration list; tests pass a prefix to build a database at an older version. */
  migrations?: readonly Migration[];
  /** How long a write waits for another connection's lock before SQLITE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Clock in ms (default Date.now). */
  now?: () => number;
}

export interface Store {
  readonly path: string;
  /** PRAGMA user_version after opening. */
  readonly schemaVersion: number;
  /** What opening migrated (empty `applied` if nothing). */
  readonly migration: MigrationReport;
  readonly datasets: DatasetQueries;
  readonly spaces: SpaceQueries;
  readonly runs: RunQueries;
  readonly epochs: EpochQueries;
  readonly checkpoints: CheckpointQueries;
  readonly genotypes: GenotypeQueries;
  readonly results: RetrainResultQueries;
  /** A run with its epochs, checkpoints, genotypes, result and child runs, from one snapshot. */
  runDetail<M = unknown>(id: number): RunDetail<M> | undefined;
  /** Group calls into one BEGIN IMMEDIATE transaction (e.g. an epoch row and its checkpoint). */
  transaction<T>(fn: () => T): T;
  /** Problems found by PRAGMA integrity_check and foreign_key_check; empty when the database is sound. */
  integrityCheck(): string[];
  /** This connection's settings, for diagnostics. */
  settings(): StoreSettings;
  isOpen(): boolean;
  close(): void;
}

export interface StoreSettings {
  journalMode: string;
  foreignKeys: boolean;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  synchronous: number;
  busyTimeoutMs: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export function openStore(dbPath: string, options: StoreOptions = {}): Store {
  const migrations = options.migrations ?? MIGRATIONS;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const file = path.resolve(dbPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });

  const db = new Database(file, { timeout: busyTimeoutMs });
  let migration: MigrationReport;
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    const found = userVersion(db); // also the first read: a non-SQLite file fails here
    if (found > migrations.length) throw new SchemaTooNewError(file, found, migrations.length);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`could not switch to WAL journaling (got "${String(mode)}"); is the data folder on a network file system?`);
    db.pragma('synchronous = NORMAL'); // with WAL: durable across app crashes; a power cut may lose the last commits, never consistency
    db.pragma('foreign_keys = ON');
    migration = migrate(db, migrations, file);
  } catch (err) {
    db.close();
    if (err instanceof SchemaTooNewError || err instanceof MigrationError) throw err;
    throw new Error(`Cannot open the run database ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  const ctx = createContext(db, options.now ?? Date.now);
  const runs = createRunQueries(ctx);
  const epochs = createEpochQueries(ctx);
  const checkpoints = createCheckpointQueries(ctx);
  const genotypes = createGenotypeQueries(ctx);
  const results = createRetrainResultQueries(ctx);
  const runDetail = createRunDetail(ctx, { runs, epochs, checkpoints, genotypes, results });

  return {
    path: file,
    schemaVersion: userVersion(db),
    migration,
    datasets: createDatasetQueries(ctx),
    spaces: createSpaceQueries(ctx),
    runs,
    epochs,
    checkpoints,
    genotypes,
    results,
    runDetail,
    transaction: <T>(fn: () => T): T => ctx.write(fn)(),
    integrityCheck: () => integrityProblems(db),
    settings: () => ({
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      foreignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
      synchronous: Number(db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
    }),
    isOpen: () => db.open,
    close: () => {
      if (!db.open) return;
      try {
        db.pragma('optimize');
      } finally {
        db.close();
      }
    },
  };
}

function integrityProblems(db: Database.Database): string[] {
  const problems: string[] = [];
  for (const row of db.pragma('integrity_check') as { integrity_check: string }[]) {
    if (row.integrity_check !== 'ok') problems.push(`integrity: ${row.integrity_check}`);
  }
  for (const row of db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string; fkid: number }[]) {
    problems.push(`foreign key: ${row.table} row ${row.rowid ?? '?'} refers to a missing ${row.parent} row (constraint ${row.fkid})`);
  }
  return problems;
}
