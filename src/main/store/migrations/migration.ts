// The shape of one schema migration: numbered, dated, named, applied once inside the open transaction.
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3 … with no gaps; after it runs, `PRAGMA user_version` equals it. */
  version: number;
  /** The day it was written (YYYY-MM-DD). The list is append-only: never edit a released migration, add one. */
  date: string;
  /** Kebab-case summary, also the file name after the date. */
  name: string;
  /** Runs inside the migration transaction, with foreign keys enforced; must not commit or change PRAGMAs. */
  up(db: Database.Database): void;
}
