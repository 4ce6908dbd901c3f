// `nasw count`: parameters and multiply-adds of a genotype's final network, or of a supernet.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Genotype } from '../../shared/genotype';
import { GenotypeError, formatGenotype, genotypeFromJson } from '../../shared/genotype-text';
import { publishedGenotypeName, resolveGenotype } from '../../shared/published-genotypes';
import { Rng } from '../../shared/random';
import { retrainConfigSchema } from '../../shared/retrain-config';
import { SPACE_PRESETS, searchSpaceSchema, type SpacePresetName } from '../../shared/search-space';
import { auxiliaryGeometry } from '../nas/auxiliary-head';
import { selectBackend } from '../nas/backend';
import { countEvalNetwork, countSearchNetwork, type NetworkCount } from '../nas/count';
import { EvalNetwork, evalNetworkSizes } from '../nas/eval-network';
import { SearchNetwork } from '../nas/search-network';
import { choice, inputFromFlags, withFlagErrors, type FlagRule } from './flag-table';
import { output } from './output';

interface CountFlags {
  genotype?: string;
  supernet: boolean;
  space?: string;
  ops?: string;
  nodes?: string;
  cells?: string;
  channels?: string;
  classes?: string;
  input?: string;
  imagenet: boolean;
  detail: boolean;
  json: boolean;
}

/** Every value flag of `nasw count` and the field it sets (the schemas' errors are worded by these). */
const COUNT_FLAGS: readonly FlagRule[] = [
  { flag: '--ops', path: ['ops'], kind: 'list' },
  { flag: '--nodes', path: ['nodes'], kind: 'int' },
  { flag: '--cells', path: ['cells'], kind: 'int' },
  { flag: '--channels', path: ['channels'], kind: 'int' },
  { flag: '--classes', path: ['numClasses'], kind: 'int' },
];

const classesSchema = z.object({ numClasses: z.number().int().min(1).max(100_000) });

/** The final network's L and C: the retrain schema's bounds, and even C (FactorizedReduce halves it). */
const evalSizeSchema = z
  .object({ cells: retrainConfigSchema.shape.cells.unwrap(), channels: retrainConfigSchema.shape.channels.unwrap() })
  .refine((s) => s.channels % 2 === 0, { path: ['channels'], message: 'channels must be even (FactorizedReduce halves them)' });

/** `32x32x3`, `224x224` (3 channels) or `28x28x1` → [height, width, channels]. */
export function parseInputShape(text: string): [number, number, number] {
  const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$/i.exec(text);
  if (!m) throw new Error(`--input expects HxWxC, e.g. 32x32x3, got '${text}'`);
  const shape: [number, number, number] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 3 : Number(m[3])];
  if (shape.some((v) => v < 1)) throw new Error(`--input sizes must be positive, got '${text}'`);
  return shape;
}

/**
 * A genotype from a published name (`DARTS_V2`), Genotype(...) text or JSON, or a file holding either —
 * including the record `nasw discretize` writes (its `genotype` field). Errors say where.
 */
export function resolveGenotypeArg(arg: string): { genotype: Genotype; name: string | undefined } {
  try {
    if (fs.existsSync(arg) && fs.statSync(arg).isFile()) {
      const text = fs.readFileSync(arg, 'utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const record = json as { genotype?: unknown } | undefined;
      const genotype = record && typeof record === 'object' && 'genotype' in record ? genotypeFromJson(record.genotype) : resolveGenotype(text);
      return { genotype, name: path.basename(arg) };
    }
    return { genotype: resolveGenotype(arg), name: publishedGenotypeName(arg.trim()) };
  } catch (e) {
    if (e instanceof GenotypeError) throw new Error(`--genotype: ${e.detail}`);
    throw e;
  }
}

const grouped = (n: number) => n.toLocaleString('en-US');

/** The reference's count_parameters_in_MB as its logs print it, and the papers' one-decimal rounding. */
const millions = (n: number) => `${(n / 1e6).toFixed(6)} M, "${(n / 1e6).toFixed(1)}M"`;

function describe(c: NetworkCount, title: string, detail: boolean, note: string | undefined): string {
  const lines = [
    title,
    `parameters      ${grouped(c.parameters).padStart(14)}  (${millions(c.parameters)}; auxiliary head and α excluded, as the DARTS code counts)`,
  ];
  if (c.breakdown.auxiliary) lines.push(`  with aux head ${grouped(c.parametersWithAuxiliary).padStart(14)}`);
  lines.push(`multiply-adds   ${grouped(c.multiplyAdds).padStart(14)}  (${(c.multiplyAdds / 1e6).toFixed(1)} M per ${c.inputShape.join('×')} image: conv and linear layers)`);
  if (c.breakdown.auxiliary) lines.push(`  aux head      ${('+' + grouped(c.auxiliaryMultiplyAdds)).padStart(14)}  (training only)`);
  if (note) lines.push(note);
  if (detail) {
    lines.push('cell  type    C_pp   C_p     C   out   size      parameters  multiply-adds');
    for (const cell of c.breakdown.cells) {
      lines.push(
        `${String(cell.index).padStart(4)}  ${(cell.reduction ? 'reduce' : 'normal').padEnd(6)} ${[cell.cPrevPrev, cell.cPrev, cell.C, cell.out].map((v) => String(v).padStart(5)).join(' ')}  ` +
          `${cell.size.join('×').padEnd(8)} ${grouped(cell.params).padStart(11)}  ${grouped(cell.madds).padStart(13)}`,
      );
    }
  }
  return lines.join('\n');
}

export function registerCountCommand(program: Command): void {
  program
    .command('count')
    .description('count parameters and multiply-adds of a genotype\'s final network (--genotype) or of a supernet (--supernet)')
    .option('--genotype <genotype>', 'published name (DARTS_V2, …), Genotype(...) text or JSON, or a file with either')
    .option('--supernet', 'count the search network instead', false)
    .option('--space <name>', 'supernet: search-space preset S1 | S2 | S3', 'S1')
    .option('--ops <list>', 'supernet: comma-separated operations (overrides --space)')
    .option('--nodes <n>', 'supernet: intermediate nodes per cell (default 4)')
    .option('--cells <n>', 'cells (default 20; 14 with --imagenet; 8 for --supernet)')
    .option('--channels <n>', 'initial channels (default 36; 48 with --imagenet; 16 for --supernet)')
    .option('--classes <n>', 'classes (default 10; 1000 with --imagenet)')
    .option('--input <HxWxC>', 'input size (default 32x32x3; 224x224x3 with --imagenet)')
    .option('--imagenet', 'ImageNet form: stride-2 stems', false)
    .option('--detail', 'per-cell channels, sizes and counts', false)
    .option('--json', 'JSON output', false)
    .action(async (flags: CountFlags) => {
      const out = output(flags.json);
      if (flags.supernet === (flags.genotype !== undefined)) throw new Error('give either --genotype <genotype> or --supernet');
      const stem = flags.imagenet ? 'imagenet' : 'cifar';
      const values = flags as unknown as Record<string, unknown>;
      const given = inputFromFlags(COUNT_FLAGS, values);
      const { numClasses } = withFlagErrors(COUNT_FLAGS, values, () => classesSchema.parse({ numClasses: flags.imagenet ? 1000 : 10, ...given }));
      const inputShape = flags.input ? parseInputShape(flags.input) : flags.imagenet ? ([224, 224, 3] as [number, number, number]) : ([32, 32, 3] as [number, number, number]);
      // Counting builds the real network (variables by name); no kernel runs, so the cpu backend suffices.
      await selectBackend('cpu');
      if (flags.supernet) {
        const spaceName = choice('--space', flags.space ?? 'S1', Object.keys(SPACE_PRESETS) as SpacePresetName[]);
        const space = withFlagErrors(COUNT_FLAGS, values, () =>
          searchSpaceSchema.parse({ name: flags.ops ? 'custom' : spaceName, ops: [...SPACE_PRESETS[spaceName]], nodes: 4, cells: 8, channels: 16, ...given, numClasses: undefined }),
        );
        const net = new SearchNetwork({ space, numClasses, inputShape, nodeNormalization: true, stem, stemMultiplier: 3 }, new Rng(0));
        try {
          const c = countSearchNetwork(net);
          const title = `supernet ${space.name} (${space.ops.join(', ')}): ${space.cells} cells, ${space.channels} channels, ${space.nodes} nodes, ${numClasses} classes, input ${inputShape.join('×')}`;
          out.result({ network: 'supernet', space, stem, ...c }, describe(c, title, flags.detail, undefined));
        } finally {
          net.dispose();
        }
        return;
      }
      const { genotype, name } = resolveGenotypeArg(flags.genotype!);
      const { cells, channels } = withFlagErrors(COUNT_FLAGS, values, () => evalSizeSchema.parse({ cells: flags.imagenet ? 14 : 20, channels: flags.imagenet ? 48 : 36, ...given }));
      // The auxiliary head is built when the map after cell 2L/3 is large enough for it.
      let auxiliary = true;
      let note: string | undefined;
      try {
        const [h, w] = evalNetworkSizes({ cells, stem, inputShape }).cells[Math.floor((2 * cells) / 3)]!;
        auxiliaryGeometry(stem, h, w);
      } catch (e) {
        auxiliary = false;
        note = `no auxiliary head: ${(e as Error).message}`;
      }
      const net = new EvalNetwork({ genotype, cells, channels, numClasses, inputShape, stem, auxiliary }, new Rng(0));
      try {
        const c = countEvalNetwork(net);
        const title = `${name ?? 'genotype'}, ${stem === 'cifar' ? 'CIFAR' : 'ImageNet'} network: ${cells} cells, ${channels} channels, ${numClasses} classes, input ${inputShape.join('×')}`;
        out.result(
          { network: 'eval', genotypeName: name ?? null, genotype: formatGenotype(genotype), stem, cells, channels, auxiliary, ...c },
          describe(c, title, flags.detail, note),
        );
      } finally {
        net.dispose();
      }
    });
}
