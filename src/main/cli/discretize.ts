// `nasw discretize`: turn a search checkpoint into a genotype, value-based (DARTS) or by decorrelation (iDARTS).
import fs from 'node:fs';
import type { Command } from 'commander';
import { formatGenotype } from '../../shared/genotype-text';
import type { SearchConfig } from '../../shared/search-config';
import { selectBackend } from '../nas/backend';
import { discretizeCheckpoint, type DiscretizeMethod } from '../nas/discretize/discretize-checkpoint';
import { nodeBackendHost } from '../jobs/backend-host';
import { RunFolder } from '../jobs/run-folder';
import { openSearchData } from '../jobs/search-data';
import { output } from './output';

interface DiscretizeFlags {
  checkpoint: string;
  method: string;
  images?: string;
  backend?: string;
  json: boolean;
}

export function registerDiscretizeCommand(program: Command, getHome: () => string): void {
  program
    .command('discretize <runFolder>')
    .description('derive a genotype from a search checkpoint')
    .option('--checkpoint <n|last>', 'checkpoint after epoch N, or the last one', 'last')
    .option('--method <method>', 'decorrelation (iDARTS) | value (DARTS)', 'decorrelation')
    .option('--images <n>', 'images for decorrelation (default: the run\'s discretizeImages)')
    .option('--backend <name>', 'compute backend (default: the run\'s)')
    .option('--json', 'JSON output', false)
    .action(async (runFolder: string, flags: DiscretizeFlags) => {
      const out = output(flags.json);
      if (flags.method !== 'value' && flags.method !== 'decorrelation') throw new Error(`--method must be value or decorrelation, got '${flags.method}'`);
      const folder = RunFolder.open(runFolder);
      const which = flags.checkpoint === 'last' ? 'last' : Number(flags.checkpoint);
      if (which !== 'last' && !Number.isInteger(which)) throw new Error(`--checkpoint expects an epoch number or 'last'`);
      const ckpt = folder.findCheckpoint(which);
      const { config } = folder.readConfig<SearchConfig>();
      const backend = await selectBackend((flags.backend as SearchConfig['backend']) ?? config.backend, nodeBackendHost());
      const method = flags.method as DiscretizeMethod;
      const data = method === 'decorrelation' ? (await openSearchData(getHome(), config)).discretize : undefined;
      const images = flags.images === undefined ? undefined : Number(flags.images);
      const result = await discretizeCheckpoint({
        checkpoint: fs.readFileSync(ckpt.path),
        method,
        data,
        images,
        onProgress: (done, total) => out.progress({ event: 'progress', images: done, total }, `discretizing: ${done}/${total} images`),
      });
      const text = formatGenotype(result.genotype);
      const record = { method, checkpoint: ckpt.path, epoch: result.epoch, genotype: result.genotype, text, images: result.images, seconds: result.seconds, backend, decorrelation: result.decorrelation };
      folder.writeJson(`genotype-${method}-e${String(ckpt.epoch).padStart(5, '0')}.json`, record);
      out.result(record, text);
    });
}
