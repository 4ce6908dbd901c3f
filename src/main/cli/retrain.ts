// `nasw retrain`: train the final network of a genotype from scratch, writing a run folder like a search.
import path from 'node:path';
import type { Command } from 'commander';
import { RETRAIN_RECIPES, retrainConfig, type RetrainConfig, type RetrainConfigInput, type RetrainRecipe } from '../../shared/retrain-config';
import { BACKENDS } from '../../shared/search-config';
import { selectBackend } from '../nas/backend';
import { nodeBackendHost } from '../jobs/backend-host';
import { openRetrainData } from '../jobs/retrain-data';
import { runRetrainInFolder } from '../jobs/retrain-runner';
import { RunFolder } from '../jobs/run-folder';
import { homePaths } from '../store/home';
import { resolveGenotypeArg } from './count';
import { bar, formatSeconds, output } from './output';

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
  out?: string;
  resume: boolean;
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
    .option('--out <dir>', 'run folder (default: <home>/runs/retrain-<timestamp>)')
    .option('--resume', 'continue the run in --out from its newest checkpoint (its config.json wins over flags)', false)
    .option('--json', 'JSON lines instead of text', false)
    .action(async (flags: RetrainFlags) => {
      const out = output(flags.json);
      const home = getHome();
      if (flags.resume && !flags.out) throw new Error('--resume needs --out <run folder>');
      const folder = path.resolve(flags.out ?? path.join(homePaths(home).runs, `retrain-${new Date().toISOString().replace(/[:.]/g, '-')}`));
      const config = flags.resume ? RunFolder.open(folder).readConfig<RetrainConfig>().config : retrainConfigFromFlags(flags);
      const backend = await selectBackend(config.backend, nodeBackendHost());
      const data = await openRetrainData(home, config);
      const result = await runRetrainInFolder({
        folder,
        config,
        data,
        resume: flags.resume,
        progressEvery: flags.json ? 10 : 1,
        hooks: {
          onStart: (s) =>
            out.event(
              { event: 'start', folder, backend, ...s },
              `retrain → ${folder}\nbackend ${backend.backend} (${backend.device}, ${backend.kind}); ${(s.parameters / 1e6).toFixed(6)} M parameters ` +
                `(${(s.parametersWithAuxiliary / 1e6).toFixed(6)} M with the auxiliary head), ${(s.multiplyAdds / 1e6).toFixed(1)} M multiply-adds; ${s.stepsPerEpoch} steps/epoch`,
            ),
          onStep: (p) =>
            out.progress(
              { event: 'step', ...p },
              `epoch ${p.epoch + 1}/${p.epochs} ${bar((p.step + 1) / p.stepsPerEpoch)} step ${p.step + 1}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)} ETA ${formatSeconds(p.eta)}`,
            ),
          onEpoch: (m, ckpt) =>
            out.event(
              { event: 'epoch', metrics: m, checkpoint: ckpt },
              `epoch ${m.epoch + 1}: lr ${m.lr.toExponential(3)} drop-path ${m.dropPathProb.toFixed(3)} | train loss ${m.trainLoss.toFixed(4)} acc ${(100 * m.trainAcc).toFixed(2)}% | ` +
                `test loss ${m.testLoss.toFixed(4)} top-1 error ${(100 * m.testTop1Error).toFixed(2)}% top-5 error ${(100 * m.testTop5Error).toFixed(2)}% | ${m.seconds.toFixed(1)}s`,
            ),
        },
      });
      const lastM = result.history.at(-1);
      out.result(
        { event: 'done', folder, status: result.status, backend, epochs: result.history.length, final: lastM ?? null, lastCheckpoint: result.lastCheckpoint },
        lastM
          ? `done: ${result.history.length} epochs in ${folder}; test top-1 error ${(100 * lastM.testTop1Error).toFixed(2)}%, top-5 error ${(100 * lastM.testTop5Error).toFixed(2)}%`
          : `done: nothing left to train in ${folder}`,
      );
    });
}
