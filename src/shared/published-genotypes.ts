// The DARTS family's published cells, read from their exact published text, and name-or-text lookup.
import type { Genotype } from './genotype';
import { GenotypeError, parseGenotype, parseNamedGenotype, type GenotypeCheckOptions } from './genotype-text';

/** The published lines verbatim (DARTS reference genotypes.py, PC-DARTS, P-DARTS). */
export const PUBLISHED_GENOTYPE_TEXT = {
  DARTS_V1:
    "DARTS_V1 = Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])",
  DARTS_V2:
    "DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])",
  PC_DARTS_cifar:
    "PC_DARTS_cifar = Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))",
  PDARTS:
    "PDARTS = Genotype(normal=[('skip_connect', 0), ('dil_conv_3x3', 1), ('skip_connect', 0),('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3',0), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_3x3', 0), ('dil_conv_5x5', 2), ('max_pool_3x3', 0), ('dil_conv_3x3', 1), ('dil_conv_3x3', 1), ('dil_conv_5x5', 3)], reduce_concat=range(2, 6))",
} as const;

export type PublishedGenotypeName = keyof typeof PUBLISHED_GENOTYPE_TEXT;

export const PUBLISHED_GENOTYPE_NAMES = Object.keys(PUBLISHED_GENOTYPE_TEXT) as PublishedGenotypeName[];

/** Other names the published cells go by: the reference's `DARTS = DARTS_V2`. */
const ALIASES: Record<string, PublishedGenotypeName> = { DARTS: 'DARTS_V2' };

function deepFreeze(g: Genotype): Genotype {
  for (const edge of [...g.normal, ...g.reduce]) Object.freeze(edge);
  Object.freeze(g.normal);
  Object.freeze(g.reduce);
  Object.freeze(g.normalConcat);
  Object.freeze(g.reduceConcat);
  return Object.freeze(g);
}

/** The published cells, parsed once and frozen (copy before changing: `resolveGenotype` does). */
export const PUBLISHED_GENOTYPES: Readonly<Record<PublishedGenotypeName, Genotype>> = Object.freeze(
  Object.fromEntries(PUBLISHED_GENOTYPE_NAMES.map((name) => [name, deepFreeze(parseNamedGenotype(PUBLISHED_GENOTYPE_TEXT[name]).genotype)])) as Record<
    PublishedGenotypeName,
    Genotype
  >,
);

/** Names compared without case and separators: `darts-v2`, `DARTS_V2`, `dartsv2` and `P-DARTS` all match. */
function squash(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The published name a string refers to, if any (case-insensitive, separators ignored, aliases included). */
export function publishedGenotypeName(name: string): PublishedGenotypeName | undefined {
  const key = squash(name);
  if (key === '') return undefined;
  const direct = PUBLISHED_GENOTYPE_NAMES.find((n) => squash(n) === key);
  if (direct !== undefined) return direct;
  const alias = Object.keys(ALIASES).find((a) => squash(a) === key);
  return alias === undefined ? undefined : ALIASES[alias];
}

function copy(g: Genotype): Genotype {
  return {
    normal: g.normal.map(({ op, input }) => ({ op, input })),
    normalConcat: [...g.normalConcat],
    reduce: g.reduce.map(({ op, input }) => ({ op, input })),
    reduceConcat: [...g.reduceConcat],
  };
}

/**
 * A genotype from a published name (`DARTS_V2`, `darts-v2`, `PDARTS`, `DARTS` = DARTS_V2) or from text
 * (`parseGenotype`: reference text, per-node form or JSON). Always a fresh, unfrozen copy; validated
 * against `opts` (e.g. a search space's ops).
 */
export function resolveGenotype(nameOrText: string, opts: GenotypeCheckOptions = {}): Genotype {
  const trimmed = nameOrText.trim();
  const name = /^[\w.-]+$/.test(trimmed) ? publishedGenotypeName(trimmed) : undefined;
  if (name !== undefined) {
    // Re-parse so that `opts` (K, ops, nodes) are checked with positions in the published text.
    return opts.k === undefined && opts.ops === undefined && opts.nodes === undefined
      ? copy(PUBLISHED_GENOTYPES[name])
      : parseGenotype(PUBLISHED_GENOTYPE_TEXT[name], opts);
  }
  if (/^[\w.-]+$/.test(trimmed)) {
    throw new GenotypeError({
      code: 'not-a-genotype',
      reason: `unknown genotype name '${trimmed}' (published: ${PUBLISHED_GENOTYPE_NAMES.join(', ')}, DARTS = DARTS_V2) — or give Genotype(...) text or its JSON`,
    });
  }
  return parseGenotype(nameOrText, opts);
}
