// `nasw search`: run a DARTS / iDARTS search in the foreground, writing a run folder.
import type { Command } from 'commander';
import { BACKENDS, alphaNeverTrains, searchConfig, type SearchConfigInput } from '../../shared/search-config';
import { SPACE_PRESETS, type Primitive, type SpacePresetName } from '../../shared/search-space';
import { choice, inputFromFlags, withFlagErrors, type FlagRule } from './flag-table';
import { runInForeground, submitDetached } from './job-session';
import { output } from './output';

interface SearchFlags {
  dataset: string;
  preset: 'cifar' | 'imagenet';
  space?: string;
  ops?: string;
  nodes?: string;
  cells?: string;
  channels?: string;
  epochs?: string;
  batch?: string;
  steps?: string;
  seed?: string;
  freeze?: string;
  nodeNorm: boolean;
  backend?: string;
  threads?: string;
  discretizeImages?: string;
  name?: string;
  json: boolean;
}

/** Every value flag of `nasw search` and the config field it sets (the schema's errors are worded by these). */
export const SEARCH_FLAGS: readonly FlagRule[] = [
  { flag: '--ops', path: ['space', 'ops'], kind: 'list' },
  { flag: '--nodes', path: ['space', 'nodes'], kind: 'int' },
  { flag: '--cells', path: ['space', 'cells'], kind: 'int' },
  { flag: '--channels', path: ['space', 'channels'], kind: 'int' },
  { flag: '--epochs', path: ['epochs'], kind: 'int' },
  { flag: '--batch', path: ['batchSize'], kind: 'int' },
  { flag: '--steps', path: ['stepsPerEpoch'], kind: 'int' },
  { flag: '--seed', path: ['seed'], kind: 'int' },
  { flag: '--freeze', path: ['alpha', 'freezeEpochs'], kind: 'int' },
  { flag: '--dataset', path: ['data', 'dataset'], kind: 'text' },
  { flag: '--discretize-images', path: ['data', 'discretizeImages'], kind: 'int' },
  { flag: '--backend', path: ['backend'], kind: 'text' },
  { flag: '--threads', path: ['threads'], kind: 'int', words: ['auto'] },
];

/** Flags → one validated config (defaults come from the shared schema, never re-derived here). */
export function configFromFlags(f: SearchFlags) {
  const preset = choice('--preset', f.preset ?? 'cifar', ['cifar', 'imagenet'] as const);
  const spaceName = choice('--space', f.space ?? 'S1', Object.keys(SPACE_PRESETS) as SpacePresetName[]);
  const values = f as unknown as Record<string, unknown>;
  const input = inputFromFlags(SEARCH_FLAGS, values) as SearchConfigInput & { space: Record<string, unknown> };
  input.space = { ...input.space, name: f.ops ? 'custom' : spaceName, ops: (input.space?.ops as Primitive[] | undefined) ?? [...SPACE_PRESETS[spaceName]] };
  input.nodeNormalization = f.nodeNorm;
  return withFlagErrors(SEARCH_FLAGS, values, () => searchConfig(input, preset));
}

export function registerSearchCommand(program: Command, getHome: () => string): void {
  program
    .command('search')
    .description('search a cell architecture (first-order DARTS; iDARTS node normalization on by default)')
    .option('--dataset <name>', 'registered dataset name, or "synthetic" for the demo data', 'synthetic')
    .option('--preset <preset>', 'cifar | imagenet (the paper\'s settings)', 'cifar')
    .option('--space <name>', 'search-space preset S1 | S2 | S3', 'S1')
    .option('--ops <list>', 'comma-separated operations (overrides --space)')
    .option('--nodes <n>', 'intermediate nodes per cell')
    .option('--cells <n>', 'cells in the supernet')
    .option('--channels <n>', 'initial channels')
    .option('--epochs <n>', 'epochs')
    .option('--batch <n>', 'batch size')
    .option('--steps <n>', 'cap steps per epoch (0 = whole split)')
    .option('--seed <n>', 'seed')
    .option('--freeze <n>', 'epochs with α frozen (default: 30 % of --epochs, the paper\'s 15 of 50)')
    .option('--no-node-norm', 'plain DARTS: no node normalization')
    .option('--backend <name>', `compute backend: ${BACKENDS.join(' | ')}`)
    .option('--threads <n>', 'data-parallel threads on wasm: a number, or auto (the cores, up to 4)')
    .option('--discretize-images <n>', 'images held out for decorrelation discretization')
    .option('--name <name>', 'a name for the run')
    .option('--detach', 'queue the run and return; a background process runs the queue', false)
    .option('--json', 'JSON lines instead of text', false)
    .action(async (flags: SearchFlags & { detach: boolean }) => {
      const out = output(flags.json);
      const config = configFromFlags(flags);
      const never = alphaNeverTrains(config);
      if (never) out.event({ event: 'warning', message: never }, `warning: ${never} (--freeze)`);
      const home = getHome();
      const spec = { kind: 'search' as const, name: flags.name, config };
      if (flags.detach) {
        const runId = await submitDetached(home, spec);
        out.result({ event: 'queued', runId }, `queued search run ${runId} (follow it with: nasw runs show ${runId})`);
        return;
      }
      const r = await runInForeground(home, out, (runner) => runner.submit(spec));
      try {
        const run = r.store.runs.summary(r.runId)!;
        out.result(
          { event: 'done', runId: r.runId, status: r.status, error: r.error ?? null, folder: run.folder, backend: run.backend, device: run.device, epochs: run.epochsDone },
          `run ${r.runId} ${r.status}${r.error ? ` (${r.error})` : ''}: ${run.epochsDone} epochs in ${run.folder}`,
        );
        if (r.status !== 'completed') process.exitCode = 1;
      } finally {
        r.store.close();
      }
    });
}
