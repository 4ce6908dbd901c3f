import { describe, expect, it } from 'vitest';
import type { GenotypeEdge } from '../../../shared/genotype';
import { edgeCount, PRIMITIVES, SPACE_PRESETS, type Primitive } from '../../../shared/search-space';
import { randomArray } from '../testing/reference';
import { valueDiscretize } from './value';

const S1 = SPACE_PRESETS.S1;
const S2 = SPACE_PRESETS.S2;
const S3 = SPACE_PRESETS.S3;

/** A weight row: the named ops get the given weights, every other op `rest`. */
function row(ops: readonly Primitive[], named: Partial<Record<Primitive, number>>, rest = 0.01): number[] {
  return ops.map((op) => named[op] ?? rest);
}

const g = (...pairs: [Primitive, number][]): GenotypeEdge[] => pairs.map(([op, input]) => ({ op, input }));

/** A literal port of the reference `_parse` (sorted by -max over non-none ops, then first-best op). */
function literalParse(weights: number[][], ops: readonly Primitive[], nodes: number, k: number): GenotypeEdge[] {
  const gene: GenotypeEdge[] = [];
  const noneIdx = ops.indexOf('none');
  let start = 0;
  let n = 2;
  for (let i = 0; i < nodes; i++) {
    const end = start + n;
    const W = weights.slice(start, end);
    const strength = (x: number) => Math.max(...W[x]!.filter((_, kk) => kk !== noneIdx));
    const idx = Array.from({ length: i + 2 }, (_, x) => x);
    // Insertion sort: stable by construction, independent of Array.prototype.sort.
    const sorted: number[] = [];
    for (const x of idx) {
      let pos = sorted.length;
      while (pos > 0 && -strength(sorted[pos - 1]!) > -strength(x)) pos--;
      sorted.splice(pos, 0, x);
    }
    for (const j of sorted.slice(0, k)) {
      let kBest: number | null = null;
      for (let kk = 0; kk < W[j]!.length; kk++) {
        if (kk !== noneIdx && (kBest === null || W[j]![kk]! > W[j]![kBest]!)) kBest = kk;
      }
      gene.push({ op: ops[kBest!]!, input: j });
    }
    start = end;
    n += 1;
  }
  return gene;
}

describe('valueDiscretize (reference DARTS rule)', () => {
  it('skips none even when it is the largest weight, and ranks edges by their best real op', () => {
    const w = [
      row(S3, { none: 0.9, skip_connect: 0.04, sep_conv_3x3: 0.06 }), // node 0, input 0: none dominates
      row(S3, { none: 0.2, skip_connect: 0.5, sep_conv_3x3: 0.3 }), // node 0, input 1
      row(S3, { none: 0.1, skip_connect: 0.3, sep_conv_3x3: 0.6 }), // node 1, input 0
      row(S3, { none: 0.0, skip_connect: 0.7, sep_conv_3x3: 0.3 }), // node 1, input 1
      row(S3, { none: 0.05, skip_connect: 0.45, sep_conv_3x3: 0.5 }), // node 1, input 2
    ];
    expect(valueDiscretize(w, S3, 2)).toEqual(g(['skip_connect', 1], ['sep_conv_3x3', 0], ['skip_connect', 1], ['sep_conv_3x3', 0]));
  });

  it('an edge whose only large weight is none loses to any edge with a larger real op', () => {
    const w = [
      row(S2, { none: 0.96 }, 0.01), // strength 0.01
      row(S2, { max_pool_3x3: 0.02 }, 0.01), // strength 0.02
      row(S2, { none: 0.99 }, 0.0025), // node 1, input 0: strength 0.0025
      row(S2, { none: 0.9, avg_pool_3x3: 0.03 }), // strength 0.03
      row(S2, { sep_conv_3x3: 0.04 }), // strength 0.04
    ];
    expect(valueDiscretize(w, S2, 2)).toEqual(
      g(['max_pool_3x3', 1], ['max_pool_3x3', 0], ['sep_conv_3x3', 2], ['avg_pool_3x3', 1]),
    );
  });

  it('breaks ties like the reference: lower input first, first op in catalogue order', () => {
    const w = [
      row(S3, { skip_connect: 0.4, sep_conv_3x3: 0.4 }), // op tie → skip_connect (first)
      row(S3, { skip_connect: 0.1, sep_conv_3x3: 0.4 }), // edge tie with input 0 → input 0 first
      row(S3, { skip_connect: 0.3 }), // node 1, input 0: weaker
      row(S3, { sep_conv_3x3: 0.5 }), // input 1 ties input 2 at 0.5
      row(S3, { skip_connect: 0.5, sep_conv_3x3: 0.5 }), // op tie → skip
    ];
    expect(valueDiscretize(w, S3, 2)).toEqual(g(['skip_connect', 0], ['sep_conv_3x3', 1], ['sep_conv_3x3', 1], ['skip_connect', 2]));
  });

  it('all edges equal: keeps inputs 0 and 1 in order', () => {
    const w = Array.from({ length: edgeCount(3) }, () => row(S1, {}, 0.125));
    expect(valueDiscretize(w, S1, 3)).toEqual(
      g(['max_pool_3x3', 0], ['max_pool_3x3', 1], ['max_pool_3x3', 0], ['max_pool_3x3', 1], ['max_pool_3x3', 0], ['max_pool_3x3', 1]),
    );
  });

  it('reproduces a DARTS_V2-shaped normal cell from a hand-built S1 matrix (4 nodes, 14 edges)', () => {
    const w = [
      // node 0
      row(S1, { none: 0.6, sep_conv_3x3: 0.3 }),
      row(S1, { sep_conv_3x3: 0.25, skip_connect: 0.2 }),
      // node 1
      row(S1, { sep_conv_3x3: 0.45, dil_conv_3x3: 0.44 }),
      row(S1, { sep_conv_3x3: 0.35 }),
      row(S1, { none: 0.8, skip_connect: 0.2 }),
      // node 2
      row(S1, { skip_connect: 0.3, sep_conv_3x3: 0.29 }),
      row(S1, { sep_conv_3x3: 0.5 }),
      row(S1, { max_pool_3x3: 0.1 }),
      row(S1, { none: 0.9, dil_conv_5x5: 0.05 }),
      // node 3
      row(S1, { skip_connect: 0.4 }),
      row(S1, { avg_pool_3x3: 0.2 }),
      row(S1, { dil_conv_3x3: 0.3, dil_conv_5x5: 0.29 }),
      row(S1, { sep_conv_5x5: 0.1 }),
      row(S1, { none: 0.95 }, 0.005),
    ];
    expect(valueDiscretize(w, S1, 4)).toEqual(
      g(
        ['sep_conv_3x3', 0],
        ['sep_conv_3x3', 1],
        ['sep_conv_3x3', 0],
        ['sep_conv_3x3', 1],
        ['sep_conv_3x3', 1],
        ['skip_connect', 0],
        ['skip_connect', 0],
        ['dil_conv_3x3', 2],
      ),
    );
  });

  it('S3-sized space, 4 nodes: node 3 prefers deep inputs when they are stronger', () => {
    const w = [
      row(S3, { sep_conv_3x3: 0.5 }),
      row(S3, { skip_connect: 0.6 }),
      row(S3, { skip_connect: 0.2 }),
      row(S3, { sep_conv_3x3: 0.3 }),
      row(S3, { sep_conv_3x3: 0.7 }),
      row(S3, { none: 0.7, skip_connect: 0.15, sep_conv_3x3: 0.15 }),
      row(S3, { none: 0.5 }),
      row(S3, { sep_conv_3x3: 0.33 }),
      row(S3, { skip_connect: 0.34 }),
      row(S3, { skip_connect: 0.1 }),
      row(S3, { skip_connect: 0.1 }),
      row(S3, { sep_conv_3x3: 0.2 }),
      row(S3, { skip_connect: 0.45 }),
      row(S3, { sep_conv_3x3: 0.45 }),
    ];
    expect(valueDiscretize(w, S3, 4)).toEqual(
      g(
        ['skip_connect', 1],
        ['sep_conv_3x3', 0],
        ['sep_conv_3x3', 2],
        ['sep_conv_3x3', 1],
        ['skip_connect', 3],
        ['sep_conv_3x3', 2],
        ['skip_connect', 3],
        ['sep_conv_3x3', 4],
      ),
    );
  });

  it('k = 1 keeps only the strongest edge per node', () => {
    const w = [row(S3, { skip_connect: 0.2 }), row(S3, { sep_conv_3x3: 0.3 }), row(S3, {}), row(S3, {}), row(S3, { sep_conv_3x3: 0.9 })];
    expect(valueDiscretize(w, S3, 2, 1)).toEqual(g(['sep_conv_3x3', 1], ['sep_conv_3x3', 2]));
  });

  it('works on a space without none, and on a custom column order', () => {
    const ops: Primitive[] = ['skip_connect', 'sep_conv_3x3'];
    const w = [
      [0.6, 0.4],
      [0.1, 0.9],
    ];
    expect(valueDiscretize(w, ops, 1)).toEqual(g(['sep_conv_3x3', 1], ['skip_connect', 0]));
    const reversed: Primitive[] = ['sep_conv_3x3', 'none', 'skip_connect'];
    expect(
      valueDiscretize(
        [
          [0.3, 0.5, 0.2],
          [0.1, 0.1, 0.8],
        ],
        reversed,
        1,
      ),
    ).toEqual(g(['skip_connect', 1], ['sep_conv_3x3', 0]));
  });

  it('agrees with a literal port of the reference _parse on random softmax matrices', () => {
    for (const [ops, nodes, k, seed] of [
      [S1, 4, 2, 1],
      [S2, 4, 2, 2],
      [S3, 3, 1, 3],
      [S1, 6, 2, 4],
      [PRIMITIVES, 1, 2, 5],
    ] as const) {
      const E = edgeCount(nodes);
      const raw = randomArray(E * ops.length, seed, 3);
      const w = Array.from({ length: E }, (_, e) => {
        const a = Array.from(raw.subarray(e * ops.length, (e + 1) * ops.length));
        const z = a.reduce((s, x) => s + Math.exp(x), 0);
        // Quantize so that ties actually occur.
        return a.map((x) => Math.round((Math.exp(x) / z) * 20) / 20);
      });
      const got = valueDiscretize(w, ops, nodes, k);
      expect(got).toEqual(literalParse(w, ops, nodes, k));
      expect(got).toHaveLength(nodes * k);
      for (const edge of got) expect(edge.op).not.toBe('none');
    }
  });

  it('rejects impossible inputs with a clear message', () => {
    const w = [row(S3, {}), row(S3, {})];
    expect(() => valueDiscretize(w, ['none'], 1)).toThrow(/no operation besides 'none'/);
    expect(() => valueDiscretize(w, S3, 1, 3)).toThrow(/k = 3.*node 0 has only 2 inputs/);
    expect(() => valueDiscretize(w, S3, 1, 0)).toThrow(/k must be a positive integer/);
    expect(() => valueDiscretize(w, S3, 0)).toThrow(/nodes must be a positive integer/);
    expect(() => valueDiscretize(w, S3, 2)).toThrow(/expected 5 edge rows for 2 nodes, got 2/);
    expect(() => valueDiscretize([row(S3, {}), [0.5, 0.5]], S3, 1)).toThrow(/edge 1 has 2 weights but the space has 3 ops/);
    expect(() => valueDiscretize([row(S3, {}), [0.5, NaN, 0.1]], S3, 1)).toThrow(/not a finite number/);
    expect(() => valueDiscretize(w, ['skip_connect', 'skip_connect', 'none'], 1)).toThrow(/listed twice/);
  });
});
