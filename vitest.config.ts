// Unit tests sit beside the code; cross-process and browser tests live in test/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    pool: 'forks',
    // Vitest's default on 2 cores is one worker; most test time is single-threaded waiting on child
    // processes (jobs, Chromium), so two files at a time keep both cores busy.
    maxWorkers: 2,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
