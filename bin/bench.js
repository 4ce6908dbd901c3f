#!/usr/bin/env node
// `npm run bench`: runs the TypeScript benchmark through tsx's loader (no build step); `--child` is its per-measurement process.
import { register } from 'tsx/esm/api';

register();
const args = process.argv.slice(2);
if (args[0] === '--child') {
  const { childMain } = await import('../bench/bench.ts');
  await childMain(args[1] ?? '{}');
} else {
  const { benchMain } = await import('../bench/bench.ts');
  await benchMain(args);
}
