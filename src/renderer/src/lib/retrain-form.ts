// The Retrain form's model: a recipe's full config (the genotype aside), validated with the chosen genotype by the
// shared schema; the genotype from a run, pasted text (errors with line and column) or a published name.
import type { Genotype } from '../../../shared/genotype';
import { GenotypeError, parseNamedGenotype } from '../../../shared/genotype-text';
import { PUBLISHED_GENOTYPES, PUBLISHED_GENOTYPE_TEXT, type PublishedGenotypeName } from '../../../shared/published-genotypes';
import { retrainConfig, retrainConfigSchema, type RetrainConfig, type RetrainRecipe } from '../../../shared/retrain-config';

export type RetrainFormModel = Omit<RetrainConfig, 'genotype' | 'genotypeName'>;

/** A fresh, editable copy of the recipe's config (every default filled in by the schema), for `dataset`. */
export function defaultRetrainForm(recipe: RetrainRecipe = 'cifar', dataset?: string): RetrainFormModel {
  const { genotype: _g, genotypeName: _n, ...rest } = retrainConfig({ genotype: PUBLISHED_GENOTYPES.DARTS_V2 as Genotype }, recipe);
  const model = structuredClone(rest);
  if (dataset) model.data.dataset = dataset;
  return model;
}

export interface GenotypeRead {
  genotype: Genotype | null;
  /** The name the text gave (`DARTS_V2 = Genotype(...)`). */
  name: string | null;
  /** Where the text is wrong: the parser's one-line message and the caret excerpt. */
  error: { message: string; line: number | null; column: number | null; excerpt: string | null } | null;
}

/** Read pasted DARTS text (or JSON), the parser's error placed by line and column. */
export function readGenotypeText(text: string): GenotypeRead {
  try {
    const { name, genotype } = parseNamedGenotype(text);
    return { genotype, name: name ?? null, error: null };
  } catch (err) {
    if (err instanceof GenotypeError) return { genotype: null, name: null, error: { message: err.message, line: err.line ?? null, column: err.column ?? null, excerpt: err.excerpt ?? null } };
    return { genotype: null, name: null, error: { message: (err as Error).message, line: null, column: null, excerpt: null } };
  }
}

export function publishedGenotype(name: PublishedGenotypeName): { genotype: Genotype; text: string } {
  return { genotype: PUBLISHED_GENOTYPES[name] as Genotype, text: PUBLISHED_GENOTYPE_TEXT[name] };
}

export interface RetrainCheck {
  ok: boolean;
  /** Field path ("optim.lr") → reason; "genotype" for the cell. */
  issues: Record<string, string>;
}

export function checkRetrainForm(model: RetrainFormModel, genotype: Genotype | null): RetrainCheck {
  const issues: Record<string, string> = {};
  if (!genotype) issues.genotype = 'choose a genotype';
  const parsed = retrainConfigSchema.safeParse({ ...model, genotype: genotype ?? { normal: [], normalConcat: [], reduce: [], reduceConcat: [] } });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = i.path.map(String).join('.');
      if (key.startsWith('genotype') && !genotype) continue;
      issues[key.startsWith('genotype') ? 'genotype' : key] ??= i.message;
    }
  }
  return { ok: Object.keys(issues).length === 0, issues };
}

/** Map server-side issue paths ("config.optim.lr") onto the form's ("optim.lr"). */
export function retrainIssuesFromApi(issues: readonly { path: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) out[i.path.replace(/^(spec\.)?config\./, '')] ??= i.message;
  return out;
}
