// Bad flags are answered with the flag's name, its rule and the value given, for every command that takes config flags.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { searchConfig } from '../../shared/search-config';
import { CODE_VERSION } from '../../shared/version';
import { openStore } from '../store';
import { homePaths } from '../store/home';
import { main } from './main';

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-flags-'));
  const store = openStore(homePaths(home).database);
  store.runs.create({ kind: 'search', config: searchConfig({}), codeVersion: CODE_VERSION, folder: (id) => path.join(home, `search-${id}`) });
  store.close();
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** What `nasw <args>` prints on stderr (the command must fail before any job starts). */
async function stderrOf(...args: string[]): Promise<string> {
  let text = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  await main(['node', 'nasw', '--home', home, ...args]);
  expect(process.exitCode).toBe(1);
  return text;
}

describe('flag messages', () => {
  it('search: the flag, the rule and the value, never a zod issue array', async () => {
    expect(await stderrOf('search', '--channels', '0')).toBe('nasw: --channels must be an integer ≥ 2 (got 0)\n');
    expect(await stderrOf('search', '--channels', '6', '--nodes', '9', '--freeze', '-1')).toBe('nasw: --nodes must be an integer ≤ 8 (got 9)\nnasw: --freeze must be an integer ≥ 0 (got -1)\n');
    expect(await stderrOf('search', '--channels', '5')).toBe('nasw: --channels: channels must be even (FactorizedReduce halves them) (got 5)\n');
    expect(await stderrOf('search', '--threads', '0')).toBe('nasw: --threads must be auto or an integer ≥ 1 (got 0)\n');
    expect(await stderrOf('search', '--backend', 'wsam')).toBe("nasw: --backend must be one of auto, tensorflow, webgl, webgpu, wasm, cpu — did you mean 'wasm'? (got 'wsam')\n");
    expect(await stderrOf('search', '--ops', 'sep_conv_3x3,skip_conect')).toMatch(/^nasw: --ops must be one of none, .* — did you mean 'skip_connect'\? \(got 'skip_conect'\)\n$/);
    expect(await stderrOf('search', '--batch', 'eight')).toBe("nasw: --batch must be an integer (got 'eight')\n");
  });

  it('retrain, discretize, evaluate and count word their flags the same way', async () => {
    expect(await stderrOf('retrain', '--genotype', 'DARTS_V2', '--channels', '0')).toBe('nasw: --channels must be an integer ≥ 2 (got 0)\n');
    expect(await stderrOf('retrain', '--genotype', 'DARTS_V2', '--drop-path', '1')).toBe('nasw: --drop-path must be a number < 1 (got 1)\n');
    expect(await stderrOf('retrain', '--genotype', 'DARTS_V2', '--recipe', 'cifr')).toBe("nasw: --recipe must be one of cifar, imagenet — did you mean 'cifar'? (got 'cifr')\n");
    expect(await stderrOf('discretize', '1', '--images', '0')).toBe('nasw: --images must be an integer ≥ 1 (got 0)\n');
    expect(await stderrOf('discretize', '1', '--method', 'valu')).toBe("nasw: --method must be one of value, decorrelation — did you mean 'value'? (got 'valu')\n");
    expect(await stderrOf('evaluate', path.join(home, 'no-such-run'), '--batch', '0')).toBe('nasw: --batch must be an integer ≥ 1 (got 0)\n');
    expect(await stderrOf('count', '--genotype', 'DARTS_V2', '--classes', '0')).toBe('nasw: --classes must be an integer ≥ 1 (got 0)\n');
    expect(await stderrOf('count', '--supernet', '--nodes', '0')).toBe('nasw: --nodes must be an integer ≥ 1 (got 0)\n');
  });
});
