// `nasw discretize`: turn a search checkpoint into a genotype, value-based (DARTS) or by decorrelation (iDARTS).
import path from 'node:path';
import type { Command } from 'commander';
import { jobSpecSchema } from '../../shared/jobs';
import type { Store } from '../store';
import { openHomeStore, runInForeground } from './job-session';
import { inputFromFlags, withFlagErrors, type FlagRule } from './flag-table';
import { output } from './output';

interface DiscretizeFlags {
  checkpoint: string;
  method: string;
  images?: string;
  json: boolean;
}

/** A run named by id, or by its folder (as printed by `nasw search`). */
export function findRun(store: Store, ref: string): number {
  if (/^\d+$/.test(ref)) return store.runs.require(Number(ref)).id;
  const folder = path.resolve(ref);
  const hit = store.runs.list().find((r) => r.folder !== null && path.resolve(r.folder) === folder);
  if (!hit) throw new Error(`no run with id or folder '${ref}' in this home's store`);
  return hit.id;
}

/** Every value flag of `nasw discretize` and the job field it sets (the schema's errors are worded by these). */
const DISCRETIZE_FLAGS: readonly FlagRule[] = [
  { flag: '--checkpoint', path: ['checkpoint'], kind: 'int', words: ['last'] },
  { flag: '--method', path: ['method'], kind: 'text' },
  { flag: '--images', path: ['images'], kind: 'int' },
];

export function registerDiscretizeCommand(program: Command, getHome: () => string): void {
  program
    .command('discretize <run>')
    .description('derive a genotype from a search run\'s checkpoint (run id or folder); the genotype is stored with the run')
    .option('--checkpoint <n|last>', 'the checkpoint written after N epochs, or the last one', 'last')
    .option('--method <method>', 'decorrelation (iDARTS Algorithm 1) | value (DARTS)', 'decorrelation')
    .option('--images <n>', 'images for decorrelation (default: the run\'s discretizeImages)')
    .option('--json', 'JSON output', false)
    .action(async (ref: string, flags: DiscretizeFlags) => {
      const out = output(flags.json);
      const home = getHome();
      const probe = openHomeStore(home);
      let searchRunId: number;
      try {
        searchRunId = findRun(probe, ref);
      } finally {
        probe.close();
      }
      const values = flags as unknown as Record<string, unknown>;
      const spec = withFlagErrors(DISCRETIZE_FLAGS, values, () => jobSpecSchema.parse({ kind: 'discretize', searchRunId, ...inputFromFlags(DISCRETIZE_FLAGS, values) }));
      if (spec.kind !== 'discretize') throw new Error('unreachable: a discretize spec parsed as another kind');
      const before = Date.now();
      const r = await runInForeground(
        home,
        out,
        (runner) => runner.submit(spec),
        (e) => (e.type === 'progress' ? `discretizing: ${e.progress.step}/${e.progress.stepsPerEpoch} images` : e.type === 'status' && e.status === 'failed' ? `failed: ${e.error}` : null),
      );
      try {
        if (r.status !== 'completed') throw new Error(`discretization ${r.status}${r.error ? `: ${r.error}` : ''}`);
        const g = r.store.genotypes.listByRun(searchRunId).find((x) => Date.parse(x.createdAt) >= before - 1000 && x.method === spec.method);
        if (!g) throw new Error('the discretization finished but stored no genotype');
        const ckpt = g.checkpointId === null ? undefined : r.store.checkpoints.get(g.checkpointId);
        out.result({ runId: searchRunId, genotypeId: g.id, method: g.method, checkpoint: ckpt ?? null, genotype: g.genotype, text: g.text, scores: g.scores }, g.text);
      } finally {
        r.store.close();
      }
    });
}
