// `nasw retrain`: train the final network of a genotype from scratch, writing a run folder like a search.
import type { Command } from 'commander';
import { RETRAIN_RECIPES, retrainConfig, type RetrainConfig, type RetrainConfigInput } from '../../shared/retrain-config';
import { BACKENDS } from '../../shared/search-config';
import { resolveGenotypeArg } from './count';
import { formatGenotype } from '../../shared/genotype-text';
import { runInForeground, submitDetached } from './job-session';
import { choice, inputFromFlags, withFlagErrors, type FlagRule } from './flag-table';
import { output } from './output';

interface RetrainFlags {
  genotype: string;
  dataset: string;
  recipe: string;
  cells?: string;
  channels?: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  /** undefined: the recipe's; true: on; false (--no-auxiliary): off; a string: on with this loss weight. */
  auxiliary?: boolean | string;
  cutout?: string;
  dropPath?: string;
  labelSmoothing?: string;
  seed?: string;
  steps?: string;
  backend?: string;
  json: boolean;
}

/** Every value flag of `nasw retrain` and the config field it sets (the schema's errors are worded by these). */
export const RETRAIN_FLAGS: readonly FlagRule[] = [
  { flag: '--genotype', path: ['genotype'], kind: 'text' },
  { flag: '--dataset', path: ['data', 'dataset'], kind: 'text' },
  { flag: '--cells', path: ['cells'], kind: 'int' },
  { flag: '--channels', path: ['channels'], kind: 'int' },
  { flag: '--epochs', path: ['epochs'], kind: 'int' },
  { flag: '--batch', path: ['batchSize'], kind: 'int' },
  { flag: '--steps', path: ['stepsPerEpoch'], kind: 'int' },
  { flag: '--seed', path: ['seed'], kind: 'int' },
  { flag: '--lr', path: ['optim', 'lr'], kind: 'number' },
  { flag: '--auxiliary', path: ['auxiliaryWeight'], kind: 'number' },
  { flag: '--cutout', path: ['data', 'augment', 'cutout'], kind: 'int' },
  { flag: '--drop-path', path: ['dropPath'], kind: 'number' },
  { flag: '--label-smoothing', path: ['labelSmoothing'], kind: 'number' },
  { flag: '--backend', path: ['backend'], kind: 'text' },
];

/** Flags → one validated config (defaults and recipes come from the shared schema, never re-derived here). */
export function retrainConfigFromFlags(f: RetrainFlags): RetrainConfig {
  const recipe = choice('--recipe', f.recipe, RETRAIN_RECIPES);
  const values = f as unknown as Record<string, unknown>;
  const input = inputFromFlags(RETRAIN_FLAGS, values) as RetrainConfigInput;
  const { genotype, name } = resolveGenotypeArg(f.genotype);
  input.genotype = genotype;
  input.genotypeName = name;
  // --auxiliary alone turns the head on, --auxiliary 0.4 also sets its weight, --no-auxiliary turns it off.
  if (f.auxiliary !== undefined) input.auxiliary = f.auxiliary !== false;
  return withFlagErrors(RETRAIN_FLAGS, values, () => retrainConfig(input, recipe));
}

export function registerRetrainCommand(program: Command, getHome: () => string): void {
  program
    .command('retrain')
    .description('train the final network of a genotype from scratch (DARTS evaluation network) and test it every epoch')
    .requiredOption('--genotype <genotype>', 'published name (DARTS_V2, DARTS_V1, PC_DARTS_cifar, PDARTS), Genotype(...) text or JSON, or a file with either')
    .option('--dataset <name>', 'registered dataset name, or "synthetic" for the demo data', 'synthetic')
    .option('--recipe <recipe>', `${RETRAIN_RECIPES.join(' | ')} (the reference's settings)`, 'cifar')
    .option('--cells <n>', 'cells (L)')
    .option('--channels <n>', 'initial channels (C)')
    .option('--epochs <n>', 'epochs')
    .option('--batch <n>', 'batch size')
    .option('--lr <x>', 'initial learning rate')
    .option('--auxiliary [weight]', 'auxiliary head after cell 2L/3, optionally with its loss weight')
    .option('--no-auxiliary', 'no auxiliary head')
    .option('--cutout <px>', 'cutout square side (0 = off)')
    .option('--drop-path <p>', 'drop-path probability at the last epoch (ramped linearly)')
    .option('--label-smoothing <eps>', 'label smoothing of the training loss')
    .option('--seed <n>', 'seed')
    .option('--steps <n>', 'cap steps per epoch and test batches (0 = whole splits)')
    .option('--backend <name>', `compute backend: ${BACKENDS.join(' | ')}`)
    .option('--name <name>', 'a name for the run')
    .option('--detach', 'queue the run and return; a background process runs the queue', false)
    .option('--json', 'JSON lines instead of text', false)
    .action(async (flags: RetrainFlags & { name?: string; detach: boolean }) => {
      const out = output(flags.json);
      const home = getHome();
      const config = retrainConfigFromFlags(flags);
      const { genotype, ...rest } = config;
      const spec = { kind: 'retrain' as const, name: flags.name ?? config.genotypeName ?? undefined, genotype: formatGenotype(genotype), config: rest };
      if (flags.detach) {
        const runId = await submitDetached(home, spec);
        out.result({ event: 'queued', runId }, `queued retrain run ${runId} (follow it with: nasw runs show ${runId})`);
        return;
      }
      const r = await runInForeground(home, out, (runner) => runner.submit(spec));
      try {
        const d = r.store.runDetail(r.runId)!;
        const res = d.result;
        out.result(
          { event: 'done', runId: r.runId, status: r.status, error: r.error ?? null, folder: d.run.folder, epochs: d.epochs.length, result: res },
          `run ${r.runId} ${r.status}${r.error ? ` (${r.error})` : ''}: ${d.epochs.length} epochs in ${d.run.folder}` +
            (res ? `; test top-1 error ${(100 * res.top1Error).toFixed(2)}%, top-5 error ${res.top5Error === null ? '-' : (100 * res.top5Error).toFixed(2) + '%'}` : ''),
        );
        if (r.status !== 'completed') process.exitCode = 1;
      } finally {
        r.store.close();
      }
    });
}
