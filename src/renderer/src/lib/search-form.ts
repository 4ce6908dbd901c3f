// The New-search form's model: the paper's defaults from the shared schema, validated by it on every change.
import { searchConfig, searchConfigSchema, type SearchConfig } from '../../../shared/search-config';
import { PRIMITIVES, SPACE_PRESETS, type Primitive, type SpacePresetName } from '../../../shared/search-space';

export type FormPreset = 'cifar' | 'imagenet';

/** The form's model: a full config, except that the frozen α epochs may be left to the schema (a share of the epochs). */
export type SearchFormModel = Omit<SearchConfig, 'alpha'> & { alpha: Omit<SearchConfig['alpha'], 'freezeEpochs'> & { freezeEpochs?: number } };

/**
 * A fresh, editable copy of the preset's full config (every default filled in by the schema), with the frozen α
 * epochs unset, so they follow the epochs field as the schema scales them (until the user types a number).
 */
export function defaultSearchForm(preset: FormPreset = 'cifar'): SearchFormModel {
  const m: SearchFormModel = structuredClone(searchConfig({}, preset));
  delete m.alpha.freezeEpochs;
  return m;
}

export interface FormCheck {
  ok: boolean;
  config: SearchConfig | null;
  /** Field path ("space.channels") → reason. */
  issues: Record<string, string>;
}

export function checkSearchForm(model: unknown): FormCheck {
  const parsed = searchConfigSchema.safeParse(model);
  if (parsed.success) return { ok: true, config: parsed.data, issues: {} };
  const issues: Record<string, string> = {};
  for (const i of parsed.error.issues) {
    const key = i.path.map(String).join('.');
    issues[key] ??= i.message;
  }
  return { ok: false, config: null, issues };
}

/** Put a preset's ops (and its name) into the model's space. */
export function applySpacePreset(model: SearchFormModel, name: SpacePresetName): void {
  model.space.name = name;
  model.space.ops = [...SPACE_PRESETS[name]];
}

/** Toggle one op; the space is then a custom one unless it equals a preset. */
export function toggleOp(model: SearchFormModel, op: Primitive, on: boolean): void {
  const set = new Set(model.space.ops);
  if (on) set.add(op);
  else set.delete(op);
  model.space.ops = PRIMITIVES.filter((p) => set.has(p));
  const preset = (Object.keys(SPACE_PRESETS) as SpacePresetName[]).find((n) => SPACE_PRESETS[n].length === model.space.ops.length && SPACE_PRESETS[n].every((p) => set.has(p)));
  model.space.name = preset ?? 'custom';
}

/** Map server-side issue paths ("config.space.channels") onto the form's ("space.channels"). */
export function formIssuesFromApi(issues: readonly { path: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) out[i.path.replace(/^(spec\.)?config\./, '')] ??= i.message;
  return out;
}
