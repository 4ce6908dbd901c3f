// What every query module shares: the connection, its prepared-statement cache, and the clock.
import type Database from 'better-sqlite3';

export interface StoreContext {
  readonly db: Database.Database;
  /** The statement for this SQL text, prepared once per connection and reused. */
  stmt<Params extends object = Record<string, unknown>, Row = unknown>(sql: string): Database.Statement<Params, Row>;
  /**
   * Wrap a multi-statement write as a BEGIN IMMEDIATE transaction (a savepoint when nested): the write
   * lock is taken up front, so a read-then-write never fails with SQLITE_BUSY_SNAPSHOT under WAL.
   */
  write<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** Milliseconds since the epoch; injectable so tests can pin time. */
  now(): number;
}

export function createContext(db: Database.Database, now: () => number): StoreContext {
  const cache = new Map<string, Database.Statement<object, unknown>>();
  return {
    db,
    now,
    stmt<Params extends object, Row>(sql: string) {
      let s = cache.get(sql);
      if (!s) {
        s = db.prepare<object, unknown>(sql);
        cache.set(sql, s);
      }
      return s as unknown as Database.Statement<Params, Row>;
    },
    write<A extends unknown[], R>(fn: (...args: A) => R) {
      const tx = db.transaction(fn);
      return (...args: A) => tx.immediate(...args) as R;
    },
  };
}
