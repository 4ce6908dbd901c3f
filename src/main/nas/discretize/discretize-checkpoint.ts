// Discretize any saved search checkpoint: value-based (DARTS) from α, or decorrelation (iDARTS) from data.
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../../../shared/batches';
import type { Genotype } from '../../../shared/genotype';
import { reductionIndices } from '../../../shared/search-space';
import { batchTensors } from '../search';
import { stateFromCheckpoint } from '../search-state';
import { decorrelationDiscretize, type DecorrelationResult } from './decorrelation';
import { GramProbe } from './gram-probe';
import { valueDiscretize } from './value';

export type DiscretizeMethod = 'value' | 'decorrelation';

export interface DiscretizeJob {
  checkpoint: Uint8Array;
  method: DiscretizeMethod;
  /** The held-out discretization split (decorrelation only). */
  data?: BatchSource;
  /** Images to stream (default: the config's discretizeImages, capped by the split). */
  images?: number;
  batchSize?: number;
  /** K predecessors per node (2 in DARTS). */
  k?: number;
  onProgress?: (images: number, total: number) => void;
}

export interface DiscretizeResult {
  method: DiscretizeMethod;
  genotype: Genotype;
  /** Epochs completed by the checkpoint's run when it was written. */
  epoch: number;
  alphaSoftmax: { normal: number[][]; reduce: number[][] };
  decorrelation?: { normal: DecorrelationResult; reduce: DecorrelationResult | null };
  images: number;
  seconds: number;
}

export async function discretizeCheckpoint(job: DiscretizeJob): Promise<DiscretizeResult> {
  const t0 = performance.now();
  const { state, meta } = stateFromCheckpoint(job.checkpoint);
  const k = job.k ?? 2;
  try {
    const { space } = state.config;
    const concat = Array.from({ length: space.nodes }, (_, i) => i + 2);
    const alphaSoftmax = await state.arch.softmaxArrays();
    const hasReduce = reductionIndices(space.cells).length > 0;
    if (job.method === 'value') {
      const genotype: Genotype = {
        normal: valueDiscretize(alphaSoftmax.normal, space.ops, space.nodes, k),
        normalConcat: concat,
        reduce: valueDiscretize(alphaSoftmax.reduce, space.ops, space.nodes, k),
        reduceConcat: concat,
      };
      return { method: 'value', genotype, epoch: meta.position.epoch, alphaSoftmax, images: 0, seconds: (performance.now() - t0) / 1000 };
    }
    if (!job.data) throw new Error('decorrelation discretization needs the discretization data split');
    const batchSize = job.batchSize ?? state.config.discretizeBatchSize;
    const total = Math.min(job.images ?? state.config.data.discretizeImages, job.data.size);
    const probe = new GramProbe(space.nodes, space.ops);
    let seen = 0;
    // Batches are addressed at a fixed size (step × batchSize); the last one is trimmed, never re-sized.
    for (let step = 0; seen < total; step++) {
      const batch = await job.data.batch(0, step, batchSize);
      const n = Math.min(batch.n, total - seen);
      if (n <= 0) break;
      tf.tidy(() => {
        const { x } = batchTensors(batch);
        const xs = n === batch.n ? x : tf.slice(x, [0, 0, 0, 0], [n, -1, -1, -1]);
        state.net.forward(xs, state.arch.weights(), { training: false }, probe);
      });
      await probe.flush();
      seen += n;
      job.onProgress?.(seen, total);
    }
    if (seen === 0) throw new Error('the discretization split is empty');
    const reductions = new Set(reductionIndices(space.cells));
    const grams = { normal: [] as Float64Array[], reduce: [] as Float64Array[] };
    for (const [cell, g] of probe.grams) grams[reductions.has(cell) ? 'reduce' : 'normal'].push(g);
    const run = (g: Float64Array[]) => decorrelationDiscretize({ nodes: space.nodes, k, ops: space.ops, grams: g });
    const normal = grams.normal.length ? run(grams.normal) : null;
    const reduce = hasReduce ? run(grams.reduce) : null;
    // A network of reduction cells only has no normal cell to read: fall back to the reduce choice.
    const normalResult = normal ?? reduce!;
    const genotype: Genotype = {
      normal: normalResult.edges,
      normalConcat: concat,
      reduce: (reduce ?? normalResult).edges,
      reduceConcat: concat,
    };
    return {
      method: 'decorrelation',
      genotype,
      epoch: meta.position.epoch,
      alphaSoftmax,
      decorrelation: { normal: normalResult, reduce },
      images: seen,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    state.dispose();
  }
}
