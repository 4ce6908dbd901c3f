// Brings a database to the code's schema version: pending migrations in one immediate transaction.
import type Database from 'better-sqlite3';
import { MigrationError, SchemaTooNewError } from './errors';
import type { Migration } from './migrations/migration';

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Versions 1…n without gaps, dates YYYY-MM-DD never going back, names unique: checked before anything runs. */
export function checkMigrationList(migrations: readonly Migration[]): void {
  const names = new Set<string>();
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration list: entry ${i} has version ${m.version}, expected ${i + 1}`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(m.date)) throw new Error(`Migration ${m.version}: date "${m.date}" is not YYYY-MM-DD`);
    if (i > 0 && m.date < migrations[i - 1]!.date) throw new Error(`Migration ${m.version}: dated before migration ${i}`);
    if (names.has(m.name)) throw new Error(`Migration ${m.version}: name "${m.name}" is used twice`);
    names.add(m.name);
  });
}

/**
 * Apply the migrations after the database's `user_version`. All pending ones run in a single
 * BEGIN IMMEDIATE transaction (so two processes opening at once migrate once, and a failure leaves the
 * database untouched), which also re-reads the version after taking the write lock and ends with a
 * foreign-key check. A database newer than the list is refused before anything is written.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], dbPath: string): MigrationReport {
  checkMigrationList(migrations);
  const known = migrations.length;
  const before = userVersion(db);
  if (before > known) throw new SchemaTooNewError(dbPath, before, known);
  if (before === known) return { from: before, to: before, applied: [] };

  return db
    .transaction((): MigrationReport => {
      const from = userVersion(db); // another process may have migrated while we waited for the lock
      if (from > known) throw new SchemaTooNewError(dbPath, from, known);
      const applied: string[] = [];
      for (const m of migrations.slice(from)) {
        try {
          m.up(db);
        } catch (err) {
          throw new MigrationError(m.version, m.name, err);
        }
        applied.push(`${m.version} ${m.date} ${m.name}`);
      }
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        const last = migrations[known - 1]!;
        throw new MigrationError(last.version, last.name, new Error(`foreign key check failed: ${JSON.stringify(violations.slice(0, 5))}`));
      }
      db.pragma(`user_version = ${known}`);
      return { from, to: known, applied };
    })
    .immediate();
}
