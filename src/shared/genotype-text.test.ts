// Tests for the genotype text/JSON forms and validation: dialects, round trips, and located errors.
import { describe, expect, it } from 'vitest';
import type { Genotype } from './genotype';
import {
  GenotypeError,
  formatGenotype,
  genotypeFromJson,
  genotypeIssues,
  genotypeToJson,
  nodesOf,
  parseGenotype,
  parseNamedGenotype,
  validateGenotype,
  type GenotypeErrorCode,
} from './genotype-text';
import { SPACE_PRESETS } from './search-space';

const V2 =
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

const V2_MODEL: Genotype = {
  normal: [
    { op: 'sep_conv_3x3', input: 0 },
    { op: 'sep_conv_3x3', input: 1 },
    { op: 'sep_conv_3x3', input: 0 },
    { op: 'sep_conv_3x3', input: 1 },
    { op: 'sep_conv_3x3', input: 1 },
    { op: 'skip_connect', input: 0 },
    { op: 'skip_connect', input: 0 },
    { op: 'dil_conv_3x3', input: 2 },
  ],
  normalConcat: [2, 3, 4, 5],
  reduce: [
    { op: 'max_pool_3x3', input: 0 },
    { op: 'max_pool_3x3', input: 1 },
    { op: 'skip_connect', input: 2 },
    { op: 'max_pool_3x3', input: 1 },
    { op: 'max_pool_3x3', input: 0 },
    { op: 'skip_connect', input: 2 },
    { op: 'skip_connect', input: 2 },
    { op: 'max_pool_3x3', input: 1 },
  ],
  reduceConcat: [2, 3, 4, 5],
};

/** Run `fn`, expect a GenotypeError, and return it for closer checks. */
function failure(fn: () => unknown): GenotypeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GenotypeError);
    return e as GenotypeError;
  }
  throw new Error('expected a GenotypeError, but nothing was thrown');
}

/** 1-based column of the `nth` (0-based) occurrence of `needle` in a one-line text. */
function columnOf(text: string, needle: string, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' occurs fewer than ${nth + 1} times`);
  }
  return at + 1;
}

function expectTextError(text: string, code: GenotypeErrorCode, line: number, column: number, message: RegExp): GenotypeError {
  const e = failure(() => parseGenotype(text));
  expect(e.code).toBe(code);
  expect({ line: e.line, column: e.column }).toEqual({ line, column });
  expect(e.message.startsWith(`line ${line}, column ${column}: `)).toBe(true);
  expect(e.message).toMatch(message);
  return e;
}

describe('parseGenotype: the reference text and its dialects', () => {
  it('reads the flat reference form into pairs in node order', () => {
    expect(parseGenotype(V2)).toEqual(V2_MODEL);
  });

  it('accepts a name prefix and reports it', () => {
    expect(parseNamedGenotype(`DARTS_V2 = ${V2}`)).toEqual({ name: 'DARTS_V2', genotype: V2_MODEL });
    expect(parseNamedGenotype(V2).name).toBeUndefined();
    expect(parseGenotype(`genotypes.Genotype${V2.slice('Genotype'.length)}`)).toEqual(V2_MODEL);
  });

  it('tolerates P-DARTS spacing, double quotes, newlines, comments and trailing commas', () => {
    const squeezed = V2.replace(/, \(/g, ',(').replace(/', /g, "',");
    expect(squeezed).toContain("),('sep_conv_3x3',1)");
    expect(parseGenotype(squeezed)).toEqual(V2_MODEL);

    const loose = `
      DARTS_V2 = Genotype(
        normal = [ ("sep_conv_3x3" , 0), ("sep_conv_3x3", 1),   # node 0
                   ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
                   ("sep_conv_3x3", 1), ("skip_connect", 0),
                   ("skip_connect", 0), ("dil_conv_3x3", 2), ],
        normal_concat = range(2, 6),
        reduce = [('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1),
                  ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1),],
        reduce_concat = list(range(2, 6)),
      )
    `;
    expect(parseGenotype(loose.replace(/\n/g, '\r\n'))).toEqual(V2_MODEL);
    expect(parseGenotype(loose)).toEqual(V2_MODEL);
  });

  it('reads the per-node nested form to the same model as the flat form', () => {
    const nested = `Genotype(
      normal=[[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], [('sep_conv_3x3', 0), ('sep_conv_3x3', 1)],
              [('sep_conv_3x3', 1), ('skip_connect', 0)], [('skip_connect', 0), ('dil_conv_3x3', 2)]],
      normal_concat=range(2, 6),
      reduce=[[('max_pool_3x3', 0), ('max_pool_3x3', 1)], [('skip_connect', 2), ('max_pool_3x3', 1)],
              [('max_pool_3x3', 0), ('skip_connect', 2)], [('skip_connect', 2), ('max_pool_3x3', 1)]],
      reduce_concat=range(2, 6))`;
    expect(parseGenotype(nested)).toEqual(V2_MODEL);
    expect(parseGenotype(nested)).toEqual(parseGenotype(V2));
  });

  it('reads positional fields, range(a, b) and range(b, a, -1)', () => {
    const model = parseGenotype("Genotype([('skip_connect', 0), ('none', 1)], range(2, 3), [('max_pool_3x3', 1), ('avg_pool_3x3', 0)], [2])");
    expect(model.normalConcat).toEqual([2]);
    expect(model.reduce[0]).toEqual({ op: 'max_pool_3x3', input: 1 });
    const g = parseGenotype(V2.replace('normal_concat=[2, 3, 4, 5]', 'normal_concat=range(5, 1, -1)'));
    expect(g.normalConcat).toEqual([5, 4, 3, 2]);
  });

  it('reads our JSON form from text, camelCase or snake_case', () => {
    expect(parseGenotype(JSON.stringify(genotypeToJson(V2_MODEL), null, 2))).toEqual(V2_MODEL);
    const snake = { normal: V2_MODEL.normal, normal_concat: [2, 3, 4, 5], reduce: V2_MODEL.reduce, reduce_concat: [2, 3, 4, 5] };
    expect(parseGenotype(JSON.stringify(snake))).toEqual(V2_MODEL);
  });

  it('reads K other than 2 when told', () => {
    const k3 = "Genotype(normal=[('skip_connect', 0), ('skip_connect', 1), ('none', 0)], normal_concat=[2], reduce=[[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 1)]], reduce_concat=[2])";
    const g = parseGenotype(k3, { k: 3 });
    expect(nodesOf(g, 3)).toBe(1);
    expect(g.reduce).toHaveLength(3);
    expect(failure(() => parseGenotype(k3)).code).toBe('node-size');
    expect(failure(() => parseGenotype(k3.replace(/reduce=\[\[(.*)\]\]/, 'reduce=[$1]'))).code).toBe('pair-count');
  });
});

describe('formatGenotype', () => {
  it('writes the canonical reference text (the published DARTS_V2 string exactly)', () => {
    expect(formatGenotype(V2_MODEL)).toBe(V2);
  });

  it('is stable: text → model → text is a fixed point after one round', () => {
    const variants = [
      V2,
      V2.replace(/\[2, 3, 4, 5\]/g, 'range(2, 6)'),
      V2.replace(/, \(/g, ',(').replace(/'/g, '"'),
      `X = ${V2.replace(/\)\]/g, '),]')}`,
    ];
    for (const text of variants) {
      const once = formatGenotype(parseGenotype(text));
      expect(once).toBe(V2);
      expect(formatGenotype(parseGenotype(once))).toBe(once);
    }
  });
});

describe('JSON', () => {
  it('round-trips through JSON.stringify / JSON.parse', () => {
    const json = genotypeToJson(V2_MODEL);
    expect(json).toEqual(V2_MODEL);
    expect(json.normal).not.toBe(V2_MODEL.normal);
    expect(json.normal[0]).not.toBe(V2_MODEL.normal[0]);
    expect(genotypeFromJson(JSON.parse(JSON.stringify(json)))).toEqual(V2_MODEL);
  });

  it('accepts snake_case keys, [op, input] pairs, the per-node form, and text strings', () => {
    const pairs = (g: Genotype['normal']): [string, number][] => g.map((e) => [e.op, e.input]);
    const snake = { normal: pairs(V2_MODEL.normal), normal_concat: [2, 3, 4, 5], reduce: pairs(V2_MODEL.reduce), reduce_concat: [2, 3, 4, 5] };
    expect(genotypeFromJson(snake)).toEqual(V2_MODEL);
    const nested = { ...genotypeToJson(V2_MODEL), normal: [0, 2, 4, 6].map((i) => V2_MODEL.normal.slice(i, i + 2)) };
    expect(genotypeFromJson(nested)).toEqual(V2_MODEL);
    expect(genotypeFromJson(V2)).toEqual(V2_MODEL);
  });

  it('rejects malformed values with the cell and pair, and no text position', () => {
    const badOp = genotypeToJson(V2_MODEL) as unknown as { normal: { op: string; input: number }[] };
    badOp.normal[3]!.op = 'conv_7x1_1x7';
    const e = failure(() => genotypeFromJson(badOp));
    expect(e.code).toBe('unknown-op');
    expect({ cell: e.cell, pair: e.pair, node: e.node, line: e.line }).toEqual({ cell: 'normal', pair: 3, node: 1, line: undefined });
    expect(e.message).toMatch(/^normal pair 3 \(node 1\): unknown operation 'conv_7x1_1x7' \(known: none, max_pool_3x3, /);

    const { reduceConcat: _dropped, ...missing } = genotypeToJson(V2_MODEL);
    const m = failure(() => genotypeFromJson(missing));
    expect(m.code).toBe('missing-field');
    expect(m.field).toBe('reduceConcat');
    expect(m.message).toMatch(/^reduce_concat: missing/);

    expect(failure(() => genotypeFromJson({ ...genotypeToJson(V2_MODEL), extra: 1 })).code).toBe('unknown-field');
    expect(failure(() => genotypeFromJson({ ...genotypeToJson(V2_MODEL), normalConcat: [2, 3], normal_concat: [2] })).code).toBe('duplicate-field');
    expect(failure(() => genotypeFromJson([1, 2])).code).toBe('not-a-genotype');
    expect(failure(() => genotypeFromJson(null)).code).toBe('not-a-genotype');
    expect(failure(() => genotypeFromJson({ ...genotypeToJson(V2_MODEL), reduce: [{ op: 'none', input: 1.5 }, { op: 'none', input: 0 }] })).code).toBe('bad-value');
  });
});

describe('malformed text: GenotypeError with the place in the message', () => {
  it('unknown operation, at the op string, with the known list and a suggestion for a typo', () => {
    const text = V2.replace("('sep_conv_3x3', 1), ('sep_conv_3x3', 1)", "('sep_conv_3x3', 1), ('sep_conv_7x7', 1)");
    const e = expectTextError(text, 'unknown-op', 1, columnOf(text, "'sep_conv_7x7'"), /normal pair 4 \(node 2\): unknown operation 'sep_conv_7x7' \(known: none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5\)$/);
    expect({ cell: e.cell, pair: e.pair, node: e.node }).toEqual({ cell: 'normal', pair: 4, node: 2 });
    const typo = V2.replace("'skip_connect', 0), ('dil", "'skip_conect', 0), ('dil");
    expectTextError(typo, 'unknown-op', 1, columnOf(typo, "'skip_conect'"), /did you mean 'skip_connect'\?/);
  });

  it('an input that does not exist yet for its node, at the input number', () => {
    // reduce pair 5 is node 2's second pair: ('skip_connect', 2) → 6.
    const text = V2.replace("('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2)", "('max_pool_3x3', 0), ('skip_connect', 6), ('skip_connect', 2)");
    const col = columnOf(text, "'skip_connect', 6") + "'skip_connect', ".length;
    const e = expectTextError(text, 'input-range', 1, col, /: reduce pair 5 \(node 2\): input 6 does not exist yet — node 2 accepts inputs 0\.\.3$/);
    expect({ cell: e.cell, pair: e.pair, node: e.node }).toEqual({ cell: 'reduce', pair: 5, node: 2 });
    // node 0 may read only the cell inputs 0 and 1
    const first = V2.replace("normal=[('sep_conv_3x3', 0)", "normal=[('sep_conv_3x3', 2)");
    expectTextError(first, 'input-range', 1, columnOf(first, '2)'), /normal pair 0 \(node 0\): input 2 does not exist yet — node 0 accepts inputs 0\.\.1/);
  });

  it('a count of pairs that is not a multiple of K, at the list', () => {
    const text = V2.replace("('skip_connect', 0), ('dil_conv_3x3', 2)]", "('skip_connect', 0)]");
    expectTextError(text, 'pair-count', 1, columnOf(text, '['), /normal: 7 pairs is not a multiple of K=2/);
    const nested = "Genotype(normal=[[('none', 0), ('none', 1)], [('none', 0)]], normal_concat=[2, 3], reduce=[('none', 0), ('none', 1)], reduce_concat=[2])";
    const e = expectTextError(nested, 'node-size', 1, columnOf(nested, '[', 2), /normal node 1: has 1 pairs, but each node takes exactly K=2/);
    expect(e.node).toBe(1);
  });

  it('unbalanced brackets: never closed, mismatched, and closing nothing', () => {
    const open = V2.slice(0, -1);
    expectTextError(open, 'unbalanced', 1, open.length + 1, /unbalanced brackets — '\(' opened at column 9 is never closed/);

    const missingParen = V2.replace("('sep_conv_3x3', 1), ('skip_connect', 0)", "('sep_conv_3x3', 1, ('skip_connect', 0)");
    const opened = columnOf(missingParen, "('sep_conv_3x3', 1, (");
    expectTextError(missingParen, 'unbalanced', 1, columnOf(missingParen, ']'), new RegExp(`'\\]' cannot close '\\(' opened at column ${opened} \\(expected '\\)'\\)`));

    expectTextError(`${V2})`, 'unbalanced', 1, V2.length + 1, /'\)' closes nothing/);

    const multiline = "Genotype(\n  normal=[('none', 0), ('none', 1)],\n  normal_concat=[2,\n  reduce=[('none', 0), ('none', 1)], reduce_concat=[2])";
    expectTextError(multiline, 'unbalanced', 4, columnOf("  reduce=[('none', 0), ('none', 1)], reduce_concat=[2])", ')', 2), /'\)' cannot close '\[' opened at line 3, column 17/);
  });

  it('garbage after the end', () => {
    expectTextError(`${V2} foo`, 'trailing', 1, V2.length + 2, /unexpected 'foo' after the end of the genotype/);
    expectTextError(`${V2}\n${V2}`, 'trailing', 2, 1, /unexpected 'Genotype' after the end/);
  });

  it('a missing field, at the Genotype call', () => {
    const text = `DARTS_V2 = ${V2.replace(', reduce_concat=[2, 3, 4, 5]', '')}`;
    const e = expectTextError(text, 'missing-field', 1, 12, /reduce_concat: missing — Genotype\(\.\.\.\) needs normal, normal_concat, reduce, reduce_concat/);
    expect(e.field).toBe('reduceConcat');
  });

  it('other syntax and value errors are located too', () => {
    const noComma = "Genotype(normal=[('none', 0) ('none', 1)], normal_concat=[2], reduce=[('none', 0), ('none', 1)], reduce_concat=[2])";
    expectTextError(noComma, 'syntax', 1, columnOf(noComma, "('none', 1)"), /expected ',' or '\]' after an item, found '\('/);
    const curly = V2.replace("'sep_conv_3x3'", '‘sep_conv_3x3’');
    expectTextError(curly, 'syntax', 1, columnOf(curly, '‘'), /curly quote/);
    const unterminated = "Genotype(normal=[('none, 0)])";
    expectTextError(unterminated, 'syntax', 1, 19, /unterminated string/);
    const unknownField = V2.replace('reduce_concat', 'reduce_conact');
    expectTextError(unknownField, 'unknown-field', 1, columnOf(unknownField, 'reduce_conact'), /unknown field 'reduce_conact'/);
    const other = 'Foo(normal=[])';
    expectTextError(other, 'not-a-genotype', 1, 1, /expected Genotype\(\.\.\.\), found Foo\(\.\.\.\)/);
    const badInput = V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', '2')");
    expectTextError(badInput, 'bad-value', 1, columnOf(badInput, "'2'"), /normal pair 7 \(node 3\): expected an input state index \(a whole number ≥ 0\), found '2'/);
    const concat = V2.replace('normal_concat=[2, 3, 4, 5]', 'normal_concat=[2, 3, 4, 6]');
    expectTextError(concat, 'concat-range', 1, columnOf(concat, '6]'), /normal_concat: state 6 is out of range — a cell with 4 nodes can concatenate states 2\.\.5/);
    expect(failure(() => parseGenotype('   # nothing\n')).code).toBe('empty');
  });

  it('puts a caret under the column in the excerpt, clipping long lines', () => {
    const text = V2.replace("('max_pool_3x3', 1)], reduce_concat", "('max_pool_3x3', 9)], reduce_concat");
    const e = failure(() => parseGenotype(text));
    expect(e.code).toBe('input-range');
    const [line, caret] = e.excerpt!.split('\n') as [string, string];
    expect(caret.trimStart()).toBe('^');
    expect(line[caret.length - 1]).toBe('9');
    expect(line.startsWith('…')).toBe(true);
    expect(line.length).toBeLessThan(80);
    expect(e.detail).toBe(`${e.message}\n${e.excerpt}`);
  });
});

describe('validateGenotype', () => {
  it('accepts a well-formed genotype and lists every issue of a broken one', () => {
    expect(() => validateGenotype(V2_MODEL)).not.toThrow();
    const broken: Genotype = {
      ...V2_MODEL,
      normal: V2_MODEL.normal.slice(0, 7),
      reduce: [...V2_MODEL.reduce.slice(0, 7), { op: 'skip_connect', input: 5 }],
      reduceConcat: [2, 3, 3, 7],
    };
    const issues = genotypeIssues(broken);
    expect(issues.map((i) => i.code)).toEqual(['pair-count', 'input-range', 'concat-duplicate', 'concat-range']);
    expect(issues[1]!.message).toBe('reduce pair 7 (node 3): input 5 does not exist yet — node 3 accepts inputs 0..4');
    expect(issues[3]!.message).toBe('reduce_concat: state 7 is out of range — a cell with 4 nodes can concatenate states 2..5');
    expect(() => validateGenotype(broken)).toThrow(GenotypeError);
  });

  it('checks ops against a search space and the node count when asked', () => {
    const e = failure(() => validateGenotype(V2_MODEL, { ops: SPACE_PRESETS.S3 }));
    expect(e.code).toBe('op-not-in-space');
    expect(e.message).toBe("normal pair 7 (node 3): operation 'dil_conv_3x3' is not in this search space (ops: none, skip_connect, sep_conv_3x3)");
    expect(() => validateGenotype(V2_MODEL, { ops: SPACE_PRESETS.S1, nodes: 4 })).not.toThrow();
    expect(failure(() => validateGenotype(V2_MODEL, { nodes: 5 })).code).toBe('pair-count');
    // with text, the same check is placed at the op
    const t = failure(() => parseGenotype(V2, { ops: SPACE_PRESETS.S3 }));
    expect(t.column).toBe(columnOf(V2, "'dil_conv_3x3'"));
  });

  it('rejects runtime junk that the types would not allow', () => {
    const junk = { ...V2_MODEL, normal: [{ op: 'conv', input: -1 }, { op: 'none', input: 0 }] } as unknown as Genotype;
    expect(genotypeIssues(junk).map((i) => i.code)).toEqual(['unknown-op', 'bad-value', 'concat-range', 'concat-range', 'concat-range']);
    expect(() => validateGenotype(V2_MODEL, { k: 0 })).toThrow(RangeError);
  });
});

describe('nodesOf', () => {
  it('counts intermediate nodes per cell', () => {
    expect(nodesOf(V2_MODEL)).toBe(4);
    expect(nodesOf(V2_MODEL, 4)).toBe(2);
  });

  it('throws when pairs are not a multiple of K or the cells disagree', () => {
    expect(failure(() => nodesOf(V2_MODEL, 3)).code).toBe('pair-count');
    expect(failure(() => nodesOf({ ...V2_MODEL, reduce: V2_MODEL.reduce.slice(0, 6) })).message).toMatch(/normal cell has 4 nodes but the reduction cell has 3/);
  });
});
