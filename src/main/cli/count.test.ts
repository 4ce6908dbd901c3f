import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatGenotype } from '../../shared/genotype-text';
import { PUBLISHED_GENOTYPES } from '../../shared/published-genotypes';
import { parseInputShape, registerCountCommand, resolveGenotypeArg } from './count';

async function runCount(args: string[]): Promise<string> {
  const program = new Command('nasw').exitOverride();
  registerCountCommand(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'nasw', 'count', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('nasw count', () => {
  it('--genotype DARTS_V2 --json: parameters without and with the head, and multiply-adds', async () => {
    const r = JSON.parse(await runCount(['--genotype', 'DARTS_V2', '--json']));
    expect(r.genotypeName).toBe('DARTS_V2');
    expect(r).toMatchObject({ network: 'eval', cells: 20, channels: 36, numClasses: 10, inputShape: [32, 32, 3], auxiliary: true });
    expect((r.parameters / 1e6).toFixed(1)).toBe('3.3');
    expect(r.parametersWithAuxiliary).toBeGreaterThan(r.parameters);
    expect(r.multiplyAdds).toBeGreaterThan(1e8);
  });

  it('--genotype DARTS_V1 counts 3,169,414 parameters in text form', async () => {
    const text = await runCount(['--genotype', 'DARTS_V1']);
    expect(text).toMatch(/3,169,414/);
    expect(text).toMatch(/multiply-adds/);
  });

  it('--supernet counts the search network (1,930,618 at 8 cells / 16 channels / S1)', async () => {
    const r = JSON.parse(await runCount(['--supernet', '--json']));
    expect(r.parameters).toBe(1930618);
    expect(r.network).toBe('supernet');
  });

  it('drops the auxiliary head when the input is too small for it, and says so', async () => {
    const r = JSON.parse(await runCount(['--genotype', 'DARTS_V2', '--cells', '3', '--channels', '4', '--input', '4x4x3', '--json']));
    expect(r.auxiliary).toBe(false);
    expect(r.parametersWithAuxiliary).toBe(r.parameters);
  });

  it('refuses neither or both of --genotype and --supernet', async () => {
    await expect(runCount([])).rejects.toThrow(/either --genotype/);
    await expect(runCount(['--supernet', '--genotype', 'DARTS_V2'])).rejects.toThrow(/either --genotype/);
  });
});

describe('genotype and input arguments', () => {
  it('reads names, text, JSON files and `nasw discretize` records; malformed text says where', () => {
    expect(resolveGenotypeArg('darts-v2').genotype).toEqual(PUBLISHED_GENOTYPES.DARTS_V2);
    expect(resolveGenotypeArg(formatGenotype(PUBLISHED_GENOTYPES.PDARTS)).genotype).toEqual(PUBLISHED_GENOTYPES.PDARTS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-count-'));
    try {
      const record = path.join(dir, 'genotype-value-e00050.json');
      fs.writeFileSync(record, JSON.stringify({ method: 'value', genotype: PUBLISHED_GENOTYPES.DARTS_V1, text: 'ignored' }));
      expect(resolveGenotypeArg(record)).toEqual({ genotype: PUBLISHED_GENOTYPES.DARTS_V1, name: 'genotype-value-e00050.json' });
      const txt = path.join(dir, 'cell.txt');
      fs.writeFileSync(txt, formatGenotype(PUBLISHED_GENOTYPES.PC_DARTS_cifar));
      expect(resolveGenotypeArg(txt).genotype).toEqual(PUBLISHED_GENOTYPES.PC_DARTS_cifar);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => resolveGenotypeArg("Genotype(normal=[('sep_conv_9x9', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])")).toThrow(
      /--genotype: .*sep_conv_9x9/,
    );
    expect(() => resolveGenotypeArg('NOT_A_CELL')).toThrow(/unknown genotype name/);
  });

  it('parses HxWxC input sizes', () => {
    expect(parseInputShape('32x32x3')).toEqual([32, 32, 3]);
    expect(parseInputShape('224×224')).toEqual([224, 224, 3]);
    expect(parseInputShape('28x28x1')).toEqual([28, 28, 1]);
    expect(() => parseInputShape('32')).toThrow(/HxWxC/);
  });
});
