// `nasw evaluate`: test a retrain checkpoint on the test split: top-1 / top-5 error, per-class accuracy, confusion.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { RetrainConfig } from '../../shared/retrain-config';
import { selectBackend } from '../nas/backend';
import { evaluateNetwork } from '../nas/evaluate';
import { retrainStateFromCheckpoint } from '../nas/retrain-state';
import { nodeBackendHost } from '../jobs/backend-host';
import { openRetrainData } from '../jobs/retrain-data';
import { RunFolder } from '../jobs/run-folder';
import { output } from './output';

interface EvaluateFlags {
  checkpoint: string;
  batch?: string;
  steps?: string;
  backend?: string;
  json: boolean;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

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
      const folder = RunFolder.open(retrainFolder);
      const record = folder.readConfig<RetrainConfig>();
      if (record.kind !== 'retrain') throw new Error(`${retrainFolder} is not a retrain run folder (kind: ${String(record.kind)})`);
      const which = flags.checkpoint === 'last' ? 'last' : Number(flags.checkpoint);
      if (which !== 'last' && !Number.isInteger(which)) throw new Error(`--checkpoint expects an epoch number or 'last'`);
      const ckpt = folder.findCheckpoint(which);
      const backend = await selectBackend((flags.backend as RetrainConfig['backend'] | undefined) ?? record.config.backend, nodeBackendHost());
      const { state, meta } = retrainStateFromCheckpoint(fs.readFileSync(ckpt.path), false);
      try {
        const batchSize = flags.batch === undefined ? meta.config.batchSize : Number(flags.batch);
        const maxSteps = flags.steps === undefined ? 0 : Number(flags.steps);
        if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch expects a positive integer, got '${flags.batch}'`);
        if (!Number.isInteger(maxSteps) || maxSteps < 0) throw new Error(`--steps expects a whole number, got '${flags.steps}'`);
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
