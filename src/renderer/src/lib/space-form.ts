// The search-space editor's model: a name, ops ticked from the catalogue, nodes, cells, channels — validated by
// the shared schema, with the presets' names kept for S1–S3.
import { PRIMITIVES, SPACE_PRESETS, searchSpaceSchema, type Primitive, type SearchSpace } from '../../../shared/search-space';

export interface SpaceFormModel {
  name: string;
  ops: Primitive[];
  nodes: number;
  cells: number;
  channels: number;
}

/** A new space: the DARTS defaults on S3's ops. */
export function blankSpace(): SpaceFormModel {
  return { name: '', ops: [...SPACE_PRESETS.S3], nodes: 4, cells: 8, channels: 16 };
}

/** An editable copy of a space (a preset's copy gets a new name). */
export function spaceForm(s: Pick<SearchSpace, 'name' | 'ops' | 'nodes' | 'cells' | 'channels'>, rename?: string): SpaceFormModel {
  return { name: rename ?? s.name, ops: [...s.ops], nodes: s.nodes, cells: s.cells, channels: s.channels };
}

export function setOp(model: SpaceFormModel, op: Primitive, on: boolean): void {
  const set = new Set(model.ops);
  if (on) set.add(op);
  else set.delete(op);
  model.ops = PRIMITIVES.filter((p) => set.has(p));
}

export interface SpaceCheck {
  ok: boolean;
  space: SearchSpace | null;
  issues: Record<string, string>;
  /** Saving replaces a saved space of this name. */
  replaces: boolean;
}

export function checkSpace(model: SpaceFormModel, savedNames: readonly string[]): SpaceCheck {
  const issues: Record<string, string> = {};
  const name = model.name.trim();
  if (name === '') issues.name = 'give the space a name';
  else if (name in SPACE_PRESETS) issues.name = `${name} is a built-in preset: choose another name`;
  const parsed = searchSpaceSchema.safeParse({ ...model, name: name || 'unnamed' });
  if (!parsed.success) {
    for (const i of parsed.error.issues) issues[i.path.map(String).join('.') || 'space'] ??= i.message;
  }
  const ok = Object.keys(issues).length === 0;
  return { ok, space: ok && parsed.success ? parsed.data : null, issues, replaces: savedNames.includes(name) };
}

/** Mixed edges per cell and α entries (both cell types), what the editor shows beside the counts. */
export function spaceShape(model: Pick<SpaceFormModel, 'nodes' | 'ops'>): { edges: number; alphas: number } {
  const edges = (model.nodes * (model.nodes + 3)) / 2;
  return { edges, alphas: 2 * edges * model.ops.length };
}
