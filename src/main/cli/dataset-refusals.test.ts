// An unknown dataset or a batch larger than its split is refused before any run is recorded, with the way out said.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeCache } from '../data/cache-writer';
import { syntheticSource } from '../data/synthetic';
import { openStore } from '../store';
import { homePaths } from '../store/home';
import { main } from './main';

let home: string;
beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-refuse-'));
  // 40 training images: a search's w and α shares hold 20 each.
  await writeCache(homePaths(home).datasets, 'tiny-shapes', syntheticSource({ train: 40, test: 10 }));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** What `nasw <args>` prints on stderr; it must fail. */
async function stderrOf(...args: string[]): Promise<string> {
  let text = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  await main(['node', 'nasw', '--home', home, ...args]);
  expect(process.exitCode).toBe(1);
  return text;
}

function runsRecorded(): number {
  const store = openStore(homePaths(home).database);
  try {
    return store.runs.list().length;
  } finally {
    store.close();
  }
}

// Small enough that the old behaviour (a run that fails or trains) ends quickly.
const SMALL = ['--cells', '2', '--channels', '4', '--epochs', '1', '--steps', '1', '--backend', 'cpu'];

describe('refused before a run exists', () => {
  it('an unknown dataset, with "did you mean"', async () => {
    expect(await stderrOf('search', ...SMALL, '--batch', '8', '--dataset', 'tiny-shape')).toMatch(/no dataset named "tiny-shape" — did you mean "tiny-shapes"\? \(known: synthetic, tiny-shapes\)\n$/);
    expect(await stderrOf('retrain', '--genotype', 'DARTS_V2', ...SMALL, '--batch', '8', '--dataset', 'Tiny_Shapes')).toMatch(/no dataset named "Tiny_Shapes" — did you mean "tiny-shapes"\?/);
    expect(await stderrOf('search', ...SMALL, '--batch', '8', '--dataset', 'imagenet', '--detach')).toMatch(/no dataset named "imagenet" \(known: synthetic, tiny-shapes\)/);
    expect(runsRecorded()).toBe(0);
  });

  it('a batch larger than the images it is drawn from, with the largest that fits', async () => {
    expect(await stderrOf('search', ...SMALL, '--batch', '21', '--dataset', 'tiny-shapes')).toMatch(/tiny-shapes: the batch size 21 is larger than the w share of its training split \(20 of 40 images\): use a batch size of at most 20\n$/);
    expect(await stderrOf('retrain', '--genotype', 'DARTS_V2', ...SMALL, '--batch', '41', '--dataset', 'tiny-shapes')).toMatch(/the batch size 41 is larger than its training split \(40 images\): use a batch size of at most 40\n$/);
    expect(runsRecorded()).toBe(0);
  });
});
