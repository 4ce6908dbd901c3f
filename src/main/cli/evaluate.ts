// `nasw evaluate`: test a retrain checkpoint on the test split: top-1 / top-5 error, per-class accuracy, confusion.
import fs from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { retrainConfigSchema, type RetrainConfig } from '../../shared/retrain-config';
import { backendChoiceSchema } from '../../shared/search-config';
import { selectBackend } from '../nas/backend';
import { evaluateNetwork } from '../nas/evaluate';
import { retrainStateFromCheckpoint } from '../nas/retrain-state';
import { nodeBackendHost } from '../jobs/backend-host';
import { openRetrainData } from '../jobs/retrain-data';
import { RunFolder } from '../jobs/run-folder';
import { inputFromFlags, withFlagErrors, type FlagRule } from './flag-table';
import { output } from './output';

interface EvaluateFlags {
  checkpoint: string;
  batch?: string;
  steps?: string;
  backend?: string;
  json: boolean;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** What the flags may say; unset ones fall back to the run's own settings. */
const evaluateFlagsSchema = z.object({
  checkpoint: z.union([z.literal('last'), z.number().int().min(0)]),
  batchSize: retrainConfigSchema.shape.batchSize.unwrap().optional(),
  maxSteps: z.number().int().min(0).default(0),
  backend: backendChoiceSchema.optional(),
});

const EVALUATE_FLAGS: readonly FlagRule[] = [
  { flag: '--checkpoint', path: ['checkpoint'], kind: 'int', words: ['last'] },
  { flag: '--batch', path: ['batchSize'], kind: 'int' },
  { flag: '--steps', path: ['maxSteps'], kind: 'int' },
  { flag: '--backend', path: ['backend'], kind: 'text' },
];

export function registerEvaluateCommand(program: Command, getHome: () => string): void {
  program
    .command('evaluate <retrainFolder>')
    .description('evaluate a retrain checkpoint on the test split (BN in eval mode, no drop-path, no auxiliary head)')
    .option('--checkpoint <n|last>', 'checkpoint after epoch N, or the last one', 'last')
    .option('--batch <n>', 'batch size (default: the run\'s)')
    .option('--steps <n>', 'evaluate only the first n batches (default: all)')
    .option('--backend <name>', 'compute backend (default: the run\'s)')
    .option('--json', 'JSON output', false)
    .action(async (retrainFolder: string, flags: EvaluateFlags) => {
      const out = output(flags.json);
      const values = flags as unknown as Record<string, unknown>;
      const opts = withFlagErrors(EVALUATE_FLAGS, values, () => evaluateFlagsSchema.parse(inputFromFlags(EVALUATE_FLAGS, values)));
      const folder = RunFolder.open(retrainFolder);
      const record = folder.readConfig<RetrainConfig>();
      if (record.kind !== 'retrain') throw new Error(`${retrainFolder} is not a retrain run folder (kind: ${String(record.kind)})`);
      const ckpt = folder.findCheckpoint(opts.checkpoint);
      const backend = await selectBackend(opts.backend ?? record.config.backend, nodeBackendHost());
      const { state, meta } = retrainStateFromCheckpoint(fs.readFileSync(ckpt.path), false);
      try {
        const batchSize = opts.batchSize ?? meta.config.batchSize;
        const maxSteps = opts.maxSteps;
        const data = await openRetrainData(getHome(), meta.config);
        const evaluation = await evaluateNetwork(state.net, data.test, {
          batchSize,
          maxSteps,
          onProgress: (done, total) => out.progress({ event: 'progress', images: done, total }, `evaluating: ${done}/${total} images`),
        });
        const result = { checkpoint: ckpt.path, epoch: ckpt.epoch, step: ckpt.step, backend, classNames: data.classNames, ...evaluation };
        folder.writeJson(`evaluation-e${String(ckpt.epoch).padStart(5, '0')}.json`, result);
        const names = data.classNames;
        const lines = [
          `checkpoint ${ckpt.path} (epoch ${ckpt.epoch}), ${evaluation.images} test images, ${evaluation.seconds.toFixed(1)}s`,
          `top-1 error ${pct(evaluation.top1Error)}   top-5 error ${pct(evaluation.top5Error)}   loss ${evaluation.loss.toFixed(4)}`,
          'per-class accuracy:',
          ...evaluation.perClassAccuracy.map((a, c) => `  ${(names[c] ?? `class ${c}`).padEnd(16)} ${a === null ? '-' : pct(a)}`),
        ];
        if (evaluation.confusion.length <= 20) {
          lines.push('confusion matrix (rows: true class, columns: predicted):');
          const w = Math.max(4, ...evaluation.confusion.flat().map((v) => String(v).length + 1));
          for (const row of evaluation.confusion) lines.push('  ' + row.map((v) => String(v).padStart(w)).join(''));
        }
        out.result(result, lines.join('\n'));
      } finally {
        state.dispose();
      }
    });
}
