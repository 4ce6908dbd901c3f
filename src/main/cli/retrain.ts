// `nasw retrain`: train the final network of a genotype from scratch, writing a run folder like a search.
import type { Command } from 'commander';
import { RETRAIN_RECIPES, retrainConfig, type RetrainConfig, type RetrainConfigInput, type RetrainRecipe } from '../../shared/retrain-config';
import { BACKENDS } from '../../shared/search-config';
import { resolveGenotypeArg } from './count';
import { formatGenotype } from '../../shared/genotype-text';
import { runInForeground, submitDetached } from './job-session';
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

const int = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${flag} expects an integer, got '${v}'`);
  return n;
};

const num = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${flag} expects a number, got '${v}'`);
  return n;
};

function stripUndefined(v: unknown): unknown {
  if (Array.isArray(v) || typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, stripUndefined(x)]),
  );
}

/** Flags → one validated config (defaults and recipes come from the shared schema, never re-derived here). */
export function retrainConfigFromFlags(f: RetrainFlags): RetrainConfig {
  if (!(RETRAIN_RECIPES as readonly string[]).includes(f.recipe)) throw new Error(`--recipe must be one of ${RETRAIN_RECIPES.join(', ')}`);
  const { genotype, name } = resolveGenotypeArg(f.genotype);
  const aux = f.auxiliary;
  const input: RetrainConfigInput = {
    genotype,
    genotypeName: name,
    cells: int(f.cells, '--cells'),
    channels: int(f.channels, '--channels'),
    epochs: int(f.epochs, '--epochs'),
    batchSize: int(f.batch, '--batch'),
    stepsPerEpoch: int(f.steps, '--steps'),
    seed: int(f.seed, '--seed'),
    optim: { lr: num(f.lr, '--lr') },
    auxiliary: aux === undefined ? undefined : aux !== false,
    auxiliaryWeight: typeof aux === 'string' ? num(aux, '--auxiliary') : undefined,
    dropPath: num(f.dropPath, '--drop-path'),
    labelSmoothing: num(f.labelSmoothing, '--label-smoothing'),
    data: { dataset: f.dataset, augment: { cutout: int(f.cutout, '--cutout') } },
    backend: f.backend as RetrainConfigInput['backend'],
  };
  return retrainConfig(stripUndefined(input) as RetrainConfigInput, f.recipe as RetrainRecipe);
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
