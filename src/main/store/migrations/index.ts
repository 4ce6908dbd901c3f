// Every schema migration, in order. Append-only: a released entry is never edited or removed.
import type { Migration } from './migration';
import { runsCore } from './2026-11-29-runs-core';
import { genotypesResults } from './2026-11-29-genotypes-results';
import { epochScalarsIndex } from './2026-11-29-epoch-scalars-index';
import { runProcesses } from './2026-12-02-run-processes';

export type { Migration } from './migration';

export const MIGRATIONS: readonly Migration[] = [runsCore, genotypesResults, epochScalarsIndex, runProcesses];

/** The schema version this code writes and reads: the last migration's. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
