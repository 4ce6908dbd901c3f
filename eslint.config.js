// The import table of ARCHITECTURE.md, enforced: a wrong import fails `npm test`, not a review.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodePaths = nodeBuiltins.map((name) => ({ name, message: 'No Node modules here: this code also runs in a browser.' }));

/** Build a no-restricted-imports rule forbidding the given path globs (relative-import aware). */
function forbid(globs, message, extraPaths = []) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: extraPaths,
        patterns: [{ group: globs, message }],
      },
    ],
  };
}

const layer = (...names) => names.flatMap((n) => [`**/main/${n}`, `**/main/${n}/**`, `../${n}`, `../${n}/**`, `../../${n}`, `../../${n}/**`]);

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'bench/results/**', 'test-artifacts/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-debugger': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    rules: forbid(
      ['**/main/**', '**/renderer/**', '**/preload/**', '@tensorflow/*', 'electron', 'vue', 'pinia', 'better-sqlite3'],
      'src/shared imports nothing of ours and no runtime (Node, DOM, Electron, tfjs).',
      nodePaths,
    ),
  },
  {
    files: ['src/main/nas/**/*.ts'],
    ignores: ['src/main/nas/**/*.test.ts', 'src/main/nas/**/testing/**'],
    rules: forbid(
      [...layer('data', 'store', 'jobs', 'api', 'app', 'server', 'cli'), '**/renderer/**', 'electron', 'better-sqlite3', 'sharp'],
      'The engine imports only src/shared and tfjs (it runs in a browser worker too).',
      nodePaths,
    ),
  },
  {
    // The GPU job host's page and worker: a browser context (Chromium), like the engine it bundles.
    files: ['src/main/gpu/**/*.ts'],
    ignores: ['src/main/gpu/**/*.test.ts'],
    rules: forbid(
      [...layer('data', 'store', 'jobs', 'api', 'app', 'server', 'cli'), '**/renderer/**', 'electron', 'better-sqlite3', 'sharp', 'ws', 'playwright-core'],
      'src/main/gpu runs in Chromium: it imports only the engine (nas), src/shared and tfjs.',
      nodePaths,
    ),
  },
  {
    files: ['src/main/data/**/*.ts'],
    ignores: ['src/main/data/**/*.test.ts'],
    rules: forbid([...layer('nas', 'store', 'jobs', 'api', 'app', 'server', 'cli'), '**/renderer/**', '@tensorflow/*', 'electron'], 'data imports only src/shared (and file/image libraries).'),
  },
  {
    files: ['src/main/store/**/*.ts'],
    ignores: ['src/main/store/**/*.test.ts'],
    rules: forbid([...layer('nas', 'data', 'jobs', 'api', 'app', 'server', 'cli'), '**/renderer/**', '@tensorflow/*', 'electron'], 'store imports only src/shared.'),
  },
  {
    files: ['src/main/jobs/**/*.ts'],
    ignores: ['src/main/jobs/**/*.test.ts'],
    rules: forbid([...layer('api', 'app', 'server', 'cli'), '**/renderer/**', 'electron'], 'jobs may import nas, data, store and shared only.'),
  },
  {
    files: ['src/main/api/**/*.ts'],
    ignores: ['src/main/api/**/*.test.ts'],
    rules: forbid([...layer('app', 'server', 'cli'), '**/renderer/**', 'electron'], 'api sits on jobs, store, data; shells sit on api.'),
  },
  {
    files: ['src/renderer/**/*.ts', 'src/preload/**/*.ts'],
    rules: forbid(['**/main/**', 'better-sqlite3', '@tensorflow/*'], 'The renderer and preload reach the main process only through the API contract in src/shared.', nodePaths.filter((p) => !p.name.startsWith('electron'))),
  },
);
