// Tests for the published DARTS-family genotypes and name-or-text resolution.
import { describe, expect, it } from 'vitest';
import { GenotypeError, formatGenotype, nodesOf, parseGenotype, validateGenotype } from './genotype-text';
import { PUBLISHED_GENOTYPES, PUBLISHED_GENOTYPE_NAMES, PUBLISHED_GENOTYPE_TEXT, publishedGenotypeName, resolveGenotype } from './published-genotypes';
import { SPACE_PRESETS } from './search-space';

const pairs = (s: string): [string, number][] =>
  s.split(',').map((p) => {
    const [op, input] = p.trim().split(' ');
    return [op!, Number(input)];
  });
const flat = (edges: { op: string; input: number }[]): [string, number][] => edges.map((e) => [e.op, e.input]);

describe('PUBLISHED_GENOTYPES', () => {
  it('holds the four published cells, each well formed with 4 nodes', () => {
    expect(PUBLISHED_GENOTYPE_NAMES).toEqual(['DARTS_V1', 'DARTS_V2', 'PC_DARTS_cifar', 'PDARTS']);
    for (const name of PUBLISHED_GENOTYPE_NAMES) {
      const g = PUBLISHED_GENOTYPES[name];
      expect(() => validateGenotype(g, { ops: SPACE_PRESETS.S1, nodes: 4 })).not.toThrow();
      expect(nodesOf(g)).toBe(4);
      expect(g.normalConcat).toEqual([2, 3, 4, 5]);
      expect(g.reduceConcat).toEqual([2, 3, 4, 5]);
      // each source line names itself
      expect(PUBLISHED_GENOTYPE_TEXT[name].startsWith(`${name} = Genotype(`)).toBe(true);
    }
  });

  it('reads the pairs as published (checked by hand)', () => {
    const g = PUBLISHED_GENOTYPES;
    expect(flat(g.DARTS_V1.normal)).toEqual(pairs('sep_conv_3x3 1, sep_conv_3x3 0, skip_connect 0, sep_conv_3x3 1, skip_connect 0, sep_conv_3x3 1, sep_conv_3x3 0, skip_connect 2'));
    expect(flat(g.DARTS_V1.reduce)).toEqual(pairs('max_pool_3x3 0, max_pool_3x3 1, skip_connect 2, max_pool_3x3 0, max_pool_3x3 0, skip_connect 2, skip_connect 2, avg_pool_3x3 0'));
    expect(g.DARTS_V2.normal[7]).toEqual({ op: 'dil_conv_3x3', input: 2 });
    expect(g.DARTS_V2.reduce[7]).toEqual({ op: 'max_pool_3x3', input: 1 });
    expect(flat(g.PC_DARTS_cifar.reduce)).toEqual(pairs('sep_conv_5x5 1, max_pool_3x3 0, sep_conv_5x5 1, sep_conv_5x5 2, sep_conv_3x3 0, sep_conv_3x3 3, sep_conv_3x3 1, sep_conv_3x3 2'));
    expect(g.PC_DARTS_cifar.normal[4]).toEqual({ op: 'sep_conv_5x5', input: 0 });
    // the P-DARTS line has `),(` and `('sep_conv_3x3',0)` spacing
    expect(flat(g.PDARTS.normal)).toEqual(pairs('skip_connect 0, dil_conv_3x3 1, skip_connect 0, sep_conv_3x3 1, sep_conv_3x3 1, sep_conv_3x3 3, sep_conv_3x3 0, dil_conv_5x5 4'));
    expect(g.PDARTS.reduce[7]).toEqual({ op: 'dil_conv_5x5', input: 3 });
  });

  it('formats DARTS_V1/V2 back to their exact published text, and every cell stably', () => {
    for (const name of ['DARTS_V1', 'DARTS_V2'] as const) {
      expect(`${name} = ${formatGenotype(PUBLISHED_GENOTYPES[name])}`).toBe(PUBLISHED_GENOTYPE_TEXT[name]);
    }
    for (const name of PUBLISHED_GENOTYPE_NAMES) {
      const once = formatGenotype(parseGenotype(PUBLISHED_GENOTYPE_TEXT[name]));
      expect(parseGenotype(once)).toEqual(PUBLISHED_GENOTYPES[name]);
      expect(formatGenotype(parseGenotype(once))).toBe(once);
    }
  });

  it('is frozen, so no caller can change a published cell for everyone', () => {
    expect(Object.isFrozen(PUBLISHED_GENOTYPES.DARTS_V2.normal)).toBe(true);
    expect(() => {
      (PUBLISHED_GENOTYPES.DARTS_V2.normal[0] as { input: number }).input = 1;
    }).toThrow(TypeError);
  });
});

describe('resolveGenotype', () => {
  it('resolves published names case-insensitively, ignoring separators, with the DARTS alias', () => {
    expect(resolveGenotype('DARTS_V2')).toEqual(PUBLISHED_GENOTYPES.DARTS_V2);
    expect(resolveGenotype('darts_v2')).toEqual(PUBLISHED_GENOTYPES.DARTS_V2);
    expect(resolveGenotype(' darts-v1 ')).toEqual(PUBLISHED_GENOTYPES.DARTS_V1);
    expect(resolveGenotype('pc_darts_CIFAR')).toEqual(PUBLISHED_GENOTYPES.PC_DARTS_cifar);
    expect(resolveGenotype('P-DARTS')).toEqual(PUBLISHED_GENOTYPES.PDARTS);
    expect(resolveGenotype('DARTS')).toEqual(PUBLISHED_GENOTYPES.DARTS_V2);
    expect(publishedGenotypeName('pdarts')).toBe('PDARTS');
    expect(publishedGenotypeName('Genotype(')).toBeUndefined();
  });

  it('returns a fresh copy that may be changed', () => {
    const g = resolveGenotype('DARTS_V2');
    g.normal[0]!.input = 1;
    expect(PUBLISHED_GENOTYPES.DARTS_V2.normal[0]!.input).toBe(0);
    expect(Object.isFrozen(g.normal)).toBe(false);
  });

  it('parses text and JSON when not a name', () => {
    expect(resolveGenotype(PUBLISHED_GENOTYPE_TEXT.PDARTS)).toEqual(PUBLISHED_GENOTYPES.PDARTS);
    expect(resolveGenotype(JSON.stringify(PUBLISHED_GENOTYPES.DARTS_V1))).toEqual(PUBLISHED_GENOTYPES.DARTS_V1);
  });

  it('names the published genotypes when a name is unknown, and checks options', () => {
    const e = (() => {
      try {
        resolveGenotype('DARTS_V3');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(GenotypeError);
    expect((e as GenotypeError).message).toMatch(/unknown genotype name 'DARTS_V3' \(published: DARTS_V1, DARTS_V2, PC_DARTS_cifar, PDARTS/);
    expect(() => resolveGenotype('DARTS_V2', { ops: SPACE_PRESETS.S3 })).toThrow(/line 1, column \d+: normal pair 7 \(node 3\): operation 'dil_conv_3x3' is not in this search space/);
    expect(() => resolveGenotype('Genotype(normal=[')).toThrow(GenotypeError);
  });
});
