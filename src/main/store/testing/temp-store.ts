// Test harness: a fresh store file in its own temp folder per test, integrity-checked and removed after.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { openStore, type Store, type StoreOptions } from '../store';

export function makeTempDir(prefix = 'nasw-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TempStore {
  readonly store: Store;
  readonly dir: string;
  readonly dbPath: string;
  /** Another connection to the same file (closed and checked after the test too). */
  open(options?: StoreOptions): Store;
  /** A controllable clock (ms); starts at 2026-11-29T12:00:00Z. */
  clock: { now: number };
}

/**
 * Registers hooks: before each test a new database file; after it, every connection opened here must
 * pass PRAGMA integrity_check + foreign_key_check, then everything is closed and the folder removed.
 */
export function useTempStore(options: StoreOptions = {}): TempStore {
  let dir = '';
  let opened: Store[] = [];
  const clock = { now: Date.parse('2026-11-29T12:00:00Z') };
  const open = (extra: StoreOptions = {}) => {
    const s = openStore(path.join(dir, 'workbench.sqlite'), { now: () => clock.now, ...options, ...extra });
    opened.push(s);
    return s;
  };
  beforeEach(() => {
    dir = makeTempDir();
    clock.now = Date.parse('2026-11-29T12:00:00Z');
    opened = [];
    open();
  });
  afterEach(() => {
    try {
      for (const s of opened.filter((x) => x.isOpen())) expect(s.integrityCheck(), `integrity of ${s.path}`).toEqual([]);
    } finally {
      for (const s of opened) s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  return {
    get store() {
      return opened[0]!;
    },
    get dir() {
      return dir;
    },
    get dbPath() {
      return path.join(dir, 'workbench.sqlite');
    },
    open,
    clock,
  };
}
