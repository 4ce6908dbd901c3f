// The `nasw` command end to end in real processes: search → discretize (both methods) → runs → export.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGenotype } from '../../src/shared/genotype-text';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '../../bin/nasw.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-cli-'));

async function nasw(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [bin, '--home', home, ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

const jsonLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('nasw CLI', () => {
  it('searches a tiny supernet on wasm, records it, and discretizes it both ways', async () => {
    const lines = jsonLines(await nasw('search', '--cells', '2', '--channels', '4', '--nodes', '3', '--epochs', '2', '--steps', '2', '--batch', '8', '--freeze', '1', '--backend', 'wasm', '--discretize-images', '16', '--json'));
    const done = lines.at(-1)!;
    expect(done).toMatchObject({ event: 'done', status: 'completed', backend: 'wasm', epochs: 2 });
    expect(lines.filter((l) => l.event === 'epoch')).toHaveLength(2);
    const runId = String(done.runId);

    for (const method of ['value', 'decorrelation']) {
      const out = jsonLines(await nasw('discretize', runId, '--method', method, '--json')).at(-1)!;
      expect(out.method).toBe(method);
      const g = parseGenotype(out.text as string);
      expect(g.normal).toHaveLength(6); // 3 nodes × K = 2
      expect(g.reduce).toHaveLength(6);
      expect(g.normal.every((e) => e.op !== 'none')).toBe(true);
    }

    const text = await nasw('discretize', String(done.folder), '--method', 'value', '--checkpoint', '1');
    expect(text.trim()).toMatch(/^Genotype\(normal=\[/);

    const list = JSON.parse(await nasw('runs', 'list', '--json')) as { id: number; kind: string; status: string; backend: string }[];
    expect(list.filter((r) => r.kind === 'search')).toEqual([expect.objectContaining({ status: 'completed', backend: 'wasm' })]);
    expect(list.filter((r) => r.kind === 'discretize').every((r) => r.status === 'completed')).toBe(true);

    const shown = await nasw('runs', 'show', runId);
    expect(shown).toMatch(/genotype \d+ \(decorrelation\)/);
    // The frozen α epoch is marked apart from the trained one.
    expect(shown).toMatch(/^epoch +lr +α /m);
    expect(shown).toMatch(/^1 +\S+ +frozen /m);
    expect(shown).toMatch(/^2 +\S+ +trained /m);
    const csv = (await nasw('export', runId, '--format', 'csv')).trim().split('\n');
    expect(csv[0]).toMatch(/^epoch,lr,trainLoss/);
    expect(csv).toHaveLength(3);
  });

  it('retrains DARTS_V2 as a recorded job and shows its result', async () => {
    const done = jsonLines(await nasw('retrain', '--genotype', 'DARTS_V2', '--cells', '3', '--channels', '4', '--epochs', '1', '--steps', '2', '--batch', '8', '--no-auxiliary', '--backend', 'wasm', '--json')).at(-1)!;
    expect(done).toMatchObject({ event: 'done', status: 'completed', epochs: 1 });
    expect((done.result as { top1Error: number }).top1Error).toBeGreaterThanOrEqual(0);
    const list = JSON.parse(await nasw('runs', 'list', '--kind', 'retrain', '--json')) as { id: number; status: string }[];
    expect(list).toEqual([expect.objectContaining({ id: done.runId, status: 'completed' })]);
  });

  it('counts DARTS_V2 as the reference does', async () => {
    const out = JSON.parse(await nasw('count', '--genotype', 'DARTS_V2', '--json')) as { parameters: number };
    expect(out.parameters).toBe(3349342);
  });

  it('fails with a clear message on a malformed genotype and on an unknown run', async () => {
    await expect(nasw('count', '--genotype', "Genotype(normal=[('sep_conv_7x7', 0)]")).rejects.toThrow(/unbalanced|unknown operation/);
    await expect(nasw('runs', 'show', '999')).rejects.toThrow(/999/);
  });
});
