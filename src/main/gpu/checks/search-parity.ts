// A tiny search on cpu and on the session's backend in the same page, then both discretizations: how far apart they end.
import type { SearchData } from '../../../shared/batches';
import type { Genotype } from '../../../shared/genotype';
import { formatGenotype } from '../../../shared/genotype-text';
import { searchConfig, type SearchConfigInput } from '../../../shared/search-config';
import type { SearchEpochMetrics } from '../../../shared/metrics';
import { discretizeCheckpoint, type DiscretizeResult } from '../../nas/discretize/discretize-checkpoint';
import { runSearch } from '../../nas/search';
import { readSearchCheckpoint } from '../../nas/search-state';
import { syntheticSearchData } from '../../nas/testing/synthetic-data';
import type { ChromiumBackend } from '../protocol';
import type { CheckContext } from './index';

export interface SearchParityOptions {
  /** Search config overrides (defaults: every op, 3 cells so both cell types, 2 nodes, 4 channels). */
  config?: SearchConfigInput;
  /** Synthetic data: images per view, shape, classes. */
  data?: { size?: number; shape?: [number, number, number]; classes?: number };
  discretizeImages?: number;
}

interface BackendRun {
  backend: ChromiumBackend;
  epochs: SearchEpochMetrics[];
  checkpoint: Uint8Array;
  value: DiscretizeResult;
  decorrelation: DiscretizeResult;
  /** The cpu run's final checkpoint discretized here: discretization alone, without the search's drift. */
  crossDecorrelation: DiscretizeResult;
  seconds: number;
}

export interface SearchParityReport {
  backend: ChromiumBackend;
  epochs: number;
  steps: number;
  /** Per epoch: relative difference of train and val loss, max |Δ| of softmax(α). */
  perEpoch: { epoch: number; trainLoss: number; valLoss: number; alphaSoftmax: number }[];
  /** Final weights: worst max|Δ| / max|cpu| over the checkpoint's w/ tensors, and where. */
  finalTensors: { maxRelative: number; worst: string };
  /**
   * Final α: max |Δ| (absolute; α starts at 1e-3·N(0,1), and Adam turns tiny gradient differences into
   * steps of up to its learning rate, so softmax(α) per epoch is the figure to hold to a tolerance).
   */
  finalAlphaAbs: number;
  discretization: {
    valueSame: boolean;
    decorrelationSame: boolean;
    /** Both genotypes from the cpu checkpoint, discretized on each backend. */
    crossDecorrelationSame: boolean;
    /** max |Δ| of the decorrelation score tables (cosines) on the same checkpoint. */
    crossScoreMaxAbs: number;
  };
  genotypes: Record<string, { value: string; decorrelation: string }>;
  seconds: Record<string, number>;
}

const genotypeEquals = (a: Genotype, b: Genotype) => formatGenotype(a) === formatGenotype(b);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);

function maxAbs2(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

function maxAbsNested(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b) ? 0 : Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b)) return a.reduce((m: number, v, i) => Math.max(m, maxAbsNested(v, b[i])), 0);
  return 0;
}

export async function runSearchParity(ctx: CheckContext, o: SearchParityOptions = {}): Promise<SearchParityReport> {
  const config = searchConfig({
    space: { ops: ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5'], cells: 3, channels: 4, nodes: 2 },
    epochs: 2,
    batchSize: 8,
    stepsPerEpoch: 2,
    alpha: { freezeEpochs: 0 },
    data: { discretizeImages: o.discretizeImages ?? 16 },
    discretizeBatchSize: 8,
    ...o.config,
  });
  const makeData = (): SearchData => syntheticSearchData({ size: o.data?.size ?? 32, shape: o.data?.shape ?? [8, 8, 3], classes: o.data?.classes ?? 4, seed: 3 });
  const images = o.discretizeImages ?? 16;
  let cpuCheckpoint: Uint8Array | null = null;
  const runOn = async (backend: ChromiumBackend): Promise<BackendRun> => {
    const t0 = performance.now();
    await ctx.reactivate(backend);
    const data = makeData();
    const epochs: SearchEpochMetrics[] = [];
    let checkpoint: Uint8Array | null = null;
    for await (const ev of runSearch({ config, data })) {
      if (ev.type === 'epoch') {
        epochs.push(ev.metrics);
        checkpoint = ev.checkpoint;
      }
    }
    const value = await discretizeCheckpoint({ checkpoint: checkpoint!, method: 'value' });
    const decorrelation = await discretizeCheckpoint({ checkpoint: checkpoint!, method: 'decorrelation', data: data.discretize, images });
    const crossDecorrelation = await discretizeCheckpoint({ checkpoint: cpuCheckpoint ?? checkpoint!, method: 'decorrelation', data: data.discretize, images });
    ctx.log(`search parity: ${backend} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return { backend, epochs, checkpoint: checkpoint!, value, decorrelation, crossDecorrelation, seconds: (performance.now() - t0) / 1000 };
  };
  const cpu = await runOn('cpu');
  cpuCheckpoint = cpu.checkpoint;
  ctx.progress(1, 2);
  // The session's backend is already initialised: reactivate() switches back to it.
  const gpu = await runOn(ctx.backend);
  ctx.progress(2, 2);

  const a = readSearchCheckpoint(cpu.checkpoint).tensors;
  const b = readSearchCheckpoint(gpu.checkpoint).tensors;
  let maxRelative = 0;
  let worst = '';
  let finalAlphaAbs = 0;
  for (const [name, t] of a) {
    if (name.startsWith('alpha/')) {
      const u = b.get(name)!;
      for (let i = 0; i < t.data.length; i++) finalAlphaAbs = Math.max(finalAlphaAbs, Math.abs(u.data[i]! - t.data[i]!));
    }
    if (!name.startsWith('w/')) continue;
    const u = b.get(name)!;
    let d = 0;
    let s = 0;
    for (let i = 0; i < t.data.length; i++) {
      d = Math.max(d, Math.abs(u.data[i]! - t.data[i]!));
      s = Math.max(s, Math.abs(t.data[i]!));
    }
    const r = d / Math.max(s, 1e-6);
    if (r > maxRelative || worst === '') {
      maxRelative = r;
      worst = name;
    }
  }
  const cpuScores = cpu.crossDecorrelation.decorrelation!;
  const gpuScores = gpu.crossDecorrelation.decorrelation!;
  return {
    backend: ctx.backend,
    epochs: config.epochs,
    steps: config.stepsPerEpoch,
    perEpoch: cpu.epochs.map((m, i) => {
      const g = gpu.epochs[i]!;
      return {
        epoch: m.epoch,
        trainLoss: rel(g.trainLoss, m.trainLoss),
        valLoss: rel(g.valLoss, m.valLoss),
        alphaSoftmax: Math.max(maxAbs2(g.alphaSoftmax.normal, m.alphaSoftmax.normal), maxAbs2(g.alphaSoftmax.reduce, m.alphaSoftmax.reduce)),
      };
    }),
    finalTensors: { maxRelative, worst },
    finalAlphaAbs,
    discretization: {
      valueSame: genotypeEquals(cpu.value.genotype, gpu.value.genotype),
      decorrelationSame: genotypeEquals(cpu.decorrelation.genotype, gpu.decorrelation.genotype),
      crossDecorrelationSame: genotypeEquals(cpu.crossDecorrelation.genotype, gpu.crossDecorrelation.genotype),
      crossScoreMaxAbs: Math.max(maxAbsNested(cpuScores.normal.scoreTables, gpuScores.normal.scoreTables), maxAbsNested(cpuScores.reduce?.scoreTables, gpuScores.reduce?.scoreTables)),
    },
    genotypes: Object.fromEntries([cpu, gpu].map((r) => [r.backend, { value: formatGenotype(r.value.genotype), decorrelation: formatGenotype(r.decorrelation.genotype) }])),
    seconds: { cpu: cpu.seconds, [ctx.backend]: gpu.seconds },
  };
}
