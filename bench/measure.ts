// Measures one search configuration on the active tfjs backend: iteration time, throughput, memory, kernels, discretization.
import * as tf from '@tensorflow/tfjs';
import type { BatchSource, ImageBatch } from '../src/shared/batches';
import { Rng } from '../src/shared/random';
import { searchConfig, type SearchConfig } from '../src/shared/search-config';
import { searchNetworkCost } from '../src/main/nas/count';
import { discretizeCheckpoint } from '../src/main/nas/discretize/discretize-checkpoint';
import { WasmRuntime } from '../src/main/nas/kernels/wasm-runtime';
import { collective } from '../src/main/nas/collective';
import { alphaStep, peerBatch, weightStep } from '../src/main/nas/search';
import { SearchState } from '../src/main/nas/search-state';
import type { BenchConfig } from './configs';

export interface MeasureOptions {
  config: BenchConfig;
  /** Timed iterations (α step + w step each), after `warmup` untimed ones. */
  iterations: number;
  warmup: number;
  /** Timed eval-mode forward passes for the forward-only figure. */
  forwardRepeats: number;
  /** Discretization batches actually run (0 = skip); the figure for `discretizeImages` is extrapolated from them. */
  discretizeBatches: number;
  discretizeImages: number;
  /** Profile one extra iteration with tf.profile for the kernel counts. */
  profile: boolean;
  seed?: number;
  /** Called after each timed step with a short line (progress for the impatient). */
  log?: (line: string) => void;
}

export interface KernelStat {
  name: string;
  count: number;
  ms: number;
}

export interface IterationSample {
  wallSeconds: number;
  /** User + system CPU seconds of this process during the iteration (noise-resistant on a shared machine). */
  cpuSeconds: number;
  alphaSeconds: number;
  weightSeconds: number;
}

export interface BenchFigures {
  backend: string;
  /** Data-parallel peers (worker threads) the iterations ran on; figures are peer 0's unless noted. */
  threads: number;
  config: BenchConfig;
  searchConfig: SearchConfig;
  parameters: number;
  iterations: IterationSample[];
  /** Median wall seconds of one search iteration (α step + w step, first order). */
  secondsPerIteration: number;
  cpuSecondsPerIteration: number;
  /** Images through a training step per second: 2 × batch / median iteration. */
  imagesPerSecond: number;
  forward: { seconds: number[]; medianSeconds: number; imagesPerSecond: number } | null;
  discretization: {
    images: number;
    batchSize: number;
    /** Measured on `measuredImages` images; extrapolated to `images` when fewer were run. */
    measuredImages: number;
    measuredSeconds: number;
    seconds: number;
    extrapolated: boolean;
  } | null;
  memory: {
    /** process.resourceUsage().maxRSS after the timed iterations, and at the very end (bytes). */
    peakRssAfterIterations: number;
    peakRss: number;
    /** tf.memory() after a step (what persists: weights, optimizer slots) and the profiled peak during one iteration. */
    tfBytesBetweenSteps: number;
    tfTensorsBetweenSteps: number;
    tfPeakBytesDuringIteration: number | null;
    /** The wasm heap (never shrinks: its size is the backend's peak), when the backend is wasm. */
    wasmHeapBytes: number | null;
  };
  kernels: {
    /** Kernel launches per iteration: tf.profile's backend-kernel entries plus the SIMD reductions called directly. */
    launches: number;
    /** Of those, the direct SIMD reductions (batch-norm statistics, α-gradient dot products), which tf.profile does not see. */
    directCalls: number;
    /** tf.customGrad calls per iteration (tf.profile lists them as pseudo-kernels named after their scope). */
    customGradCalls: number;
    /** Everything tf.profile recorded (launches + customGrad entries), the figure earlier profiles quoted. */
    profileEntries: number;
    top: KernelStat[];
  } | null;
  flops: {
    /** Multiply-adds of one image's forward pass (count.ts conventions: convolutions and linears only). */
    forwardMultiplyAddsPerImage: number;
    /** forward + input gradients + weight gradients (3×) for both batches of an iteration. */
    multiplyAddsPerIteration: number;
    /** 2 FLOP per multiply-add over the median iteration time. */
    achievedGflops: number;
  };
}

/** Seeded random images and labels, generated per batch (no 5,000-image array held in memory). */
export class RandomSource implements BatchSource {
  constructor(
    readonly size: number,
    readonly shape: readonly [number, number, number],
    readonly numClasses: number,
    private readonly seed: number,
  ) {}

  stepsPerEpoch(batchSize: number): number {
    return Math.ceil(this.size / batchSize);
  }

  async batch(epoch: number, step: number, batchSize: number): Promise<ImageBatch> {
    const n = Math.max(0, Math.min(batchSize, this.size - step * batchSize));
    const per = this.shape[0] * this.shape[1] * this.shape[2];
    const rng = Rng.derive(this.seed, epoch, step);
    const x = new Float32Array(n * per);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = rng.int(this.numClasses);
    return { x, y, n, shape: this.shape };
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? heap.length : null;
}

export function benchSearchConfig(c: BenchConfig, backend: string, seed = 2): SearchConfig {
  return searchConfig({
    space: c.space,
    batchSize: c.batch,
    nodeNormalization: c.nodeNormalization,
    seed,
    backend: backend as SearchConfig['backend'],
    alpha: { freezeEpochs: 0 },
  });
}

/** Run the measurements on whichever backend is active. */
export async function measure(o: MeasureOptions): Promise<BenchFigures> {
  const { config: c } = o;
  const log = o.log ?? (() => {});
  const backend = tf.getBackend();
  const cfg = benchSearchConfig(c, backend, o.seed);
  const state = new SearchState(cfg, c.input, c.classes);
  const source = new RandomSource(2 * c.batch, c.input, c.classes, 7);
  // With data-parallel peers, each takes its share of both batches (the same split runSearch makes).
  const batches = (await Promise.all([source.batch(0, 0, c.batch), source.batch(0, 1, c.batch)])).map(peerBatch);
  const [xa, ya, xw, yw] = batches.flatMap((b) => [tf.tensor4d(b.x, [b.n, ...c.input]), tf.tensor1d(b.y, 'int32')]) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D];
  const peers = collective();
  const lr = cfg.w.lr;

  try {
    const samples: IterationSample[] = [];
    for (let i = 0; i < o.warmup + o.iterations; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await alphaStep(state, xa, ya);
      const t1 = performance.now();
      const r = await weightStep(state, xw, yw, lr);
      const t2 = performance.now();
      const s: IterationSample = { wallSeconds: (t2 - t0) / 1000, cpuSeconds: cpuSeconds(c0), alphaSeconds: (t1 - t0) / 1000, weightSeconds: (t2 - t1) / 1000 };
      if (!Number.isFinite(r.loss)) throw new Error(`loss became ${r.loss}`);
      const warm = i < o.warmup;
      if (!warm) samples.push(s);
      log(`${warm ? 'warm-up' : 'iteration'} ${warm ? i + 1 : i - o.warmup + 1}: ${s.wallSeconds.toFixed(2)} s wall, ${s.cpuSeconds.toFixed(2)} s cpu (α ${s.alphaSeconds.toFixed(2)}, w ${s.weightSeconds.toFixed(2)}), loss ${r.loss.toFixed(4)}`);
    }
    const mem = tf.memory();
    const peakRssAfterIterations = process.resourceUsage().maxRSS * 1024;
    const secondsPerIteration = median(samples.map((s) => s.wallSeconds));

    let kernels: BenchFigures['kernels'] = null;
    let tfPeak: number | null = null;
    if (o.profile) {
      const registered = new Set(tf.getKernelsForBackend(backend).map((k) => k.kernelName));
      const direct0 = WasmRuntime.directCalls;
      const info = await tf.profile(async () => {
        await alphaStep(state, xa, ya);
        await weightStep(state, xw, yw, lr);
      });
      tfPeak = info.peakBytes;
      const directCalls = WasmRuntime.directCalls - direct0;
      const agg = new Map<string, KernelStat>();
      let launches = 0;
      for (const k of info.kernels) {
        if (registered.has(k.name)) launches++;
        const a = agg.get(k.name) ?? { name: k.name, count: 0, ms: 0 };
        a.count++;
        a.ms += Number(k.kernelTimeMs) || 0;
        agg.set(k.name, a);
      }
      kernels = {
        launches: launches + directCalls,
        directCalls,
        customGradCalls: info.kernels.length - launches,
        profileEntries: info.kernels.length,
        top: [...agg.values()].sort((a, b) => b.count - a.count).slice(0, 15),
      };
      log(`profile: ${launches + directCalls} kernel launches (${directCalls} direct SIMD reductions), ${info.kernels.length - launches} customGrad calls per iteration`);
    }

    let forward: BenchFigures['forward'] = null;
    if (o.forwardRepeats > 0 && (!peers || peers.rank === 0)) {
      const seconds: number[] = [];
      for (let i = 0; i < o.forwardRepeats + 1; i++) {
        const t0 = performance.now();
        tf.tidy(() => {
          state.net.forward(xw, state.arch.weights(), { training: false }).dataSync();
        });
        if (i > 0) seconds.push((performance.now() - t0) / 1000);
      }
      const m = median(seconds);
      forward = { seconds, medianSeconds: m, imagesPerSecond: c.batch / m };
      log(`forward only: ${m.toFixed(3)} s per batch of ${c.batch}`);
    }

    let discretization: BenchFigures['discretization'] = null;
    if (o.discretizeBatches > 0 && (!peers || peers.rank === 0)) {
      const batchSize = cfg.discretizeBatchSize;
      const images = Math.min(o.discretizeImages, o.discretizeBatches * batchSize);
      const checkpoint = await state.toCheckpoint({ position: { epoch: 1, step: 0 }, partial: { loss: 0, correct: 0, images: 0, steps: 0, seconds: 0 }, history: [] });
      const marks: number[] = [];
      const t0 = performance.now();
      await discretizeCheckpoint({
        checkpoint,
        method: 'decorrelation',
        data: new RandomSource(o.discretizeImages, c.input, c.classes, 11),
        images,
        batchSize,
        onProgress: () => marks.push(performance.now()),
      });
      const t1 = performance.now();
      const measuredSeconds = (t1 - t0) / 1000;
      const totalBatches = Math.ceil(o.discretizeImages / batchSize);
      let seconds = measuredSeconds;
      const extrapolated = images < o.discretizeImages;
      if (extrapolated) {
        // Set-up and the first batch once, later batches at the steady rate, then the (data-size-free) decorrelation itself.
        const first = (marks[0]! - t0) / 1000;
        const perBatch = marks.length > 1 ? (marks.at(-1)! - marks[0]!) / 1000 / (marks.length - 1) : first;
        seconds = first + perBatch * (totalBatches - 1) + (t1 - marks.at(-1)!) / 1000;
      }
      discretization = { images: o.discretizeImages, batchSize, measuredImages: images, measuredSeconds, seconds, extrapolated };
      log(`discretization: ${measuredSeconds.toFixed(2)} s for ${images} images${extrapolated ? ` → ${seconds.toFixed(1)} s for ${o.discretizeImages} (extrapolated)` : ''}`);
    }

    const perImage = searchNetworkCost(state.net.options).multiplyAdds;
    const perIteration = perImage * c.batch * 2 * 3;
    return {
      backend,
      threads: peers?.size ?? 1,
      config: c,
      searchConfig: cfg,
      parameters: state.net.params.count(),
      iterations: samples,
      secondsPerIteration,
      cpuSecondsPerIteration: median(samples.map((s) => s.cpuSeconds)),
      imagesPerSecond: (2 * c.batch) / secondsPerIteration,
      forward,
      discretization,
      memory: {
        peakRssAfterIterations,
        peakRss: process.resourceUsage().maxRSS * 1024,
        tfBytesBetweenSteps: mem.numBytes,
        tfTensorsBetweenSteps: mem.numTensors,
        tfPeakBytesDuringIteration: tfPeak,
        wasmHeapBytes: wasmHeapBytes(),
      },
      kernels,
      flops: { forwardMultiplyAddsPerImage: perImage, multiplyAddsPerIteration: perIteration, achievedGflops: (2 * perIteration) / secondsPerIteration / 1e9 },
    };
  } finally {
    tf.dispose([xa, ya, xw, yw]);
    state.dispose();
  }
}

/** The backend's dense-compute ceiling here: a square float32 matMul, GFLOP/s (best of a few). */
export function matMulPeakGflops(n = 512, repeats = 5): number {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  try {
    // (A tidy must not return the typed array: it would scan all n² entries for tensors.)
    const run = () =>
      tf.tidy(() => {
        tf.matMul(a, b).dataSync();
      });
    run();
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      run();
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return (2 * n ** 3) / best / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}
