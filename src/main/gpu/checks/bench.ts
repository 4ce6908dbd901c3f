// `npm run bench` in Chromium: search-iteration speed of one configuration on the session's backend (bench/gpu-host.ts drives it).
import { Rng } from '../../../shared/random';
import { searchConfig } from '../../../shared/search-config';
import type { SearchSpaceInput } from '../../../shared/search-space';
import { searchNetworkCost } from '../../nas/count';
import { alphaStep, weightStep } from '../../nas/search';
import { SearchState } from '../../nas/search-state';
import type { CheckContext } from './index';

/** The fields of bench/configs.ts's BenchConfig the measurement needs (passed in, so the bundle does not import bench/). */
export interface BrowserBenchConfig {
  name: string;
  space: SearchSpaceInput;
  input: [number, number, number];
  batch: number;
  classes: number;
  nodeNormalization: boolean;
}

export interface BrowserBenchOptions {
  config: BrowserBenchConfig;
  iterations: number;
  warmup: number;
  forwardRepeats: number;
  profile: boolean;
  seed?: number;
}

export interface BrowserBenchFigures {
  backend: string;
  parameters: number;
  iterations: { wallSeconds: number; alphaSeconds: number; weightSeconds: number }[];
  /** The first iteration (shader compilation on a GPU backend), apart. */
  firstIterationSeconds: number;
  secondsPerIteration: number;
  imagesPerSecond: number;
  forward: { seconds: number[]; medianSeconds: number; imagesPerSecond: number } | null;
  memory: { tfBytesBetweenSteps: number; tfTensorsBetweenSteps: number; tfPeakBytesDuringIteration: number | null };
  kernels: { launches: number; customGradCalls: number; profileEntries: number } | null;
  flops: { forwardMultiplyAddsPerImage: number; multiplyAddsPerIteration: number; achievedGflops: number };
  matMulGflops: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function runBench(ctx: CheckContext, o: BrowserBenchOptions): Promise<BrowserBenchFigures> {
  const { tf } = ctx;
  const c = o.config;
  const cfg = searchConfig({ space: c.space, batchSize: c.batch, nodeNormalization: c.nodeNormalization, seed: o.seed ?? 2, alpha: { freezeEpochs: 0 } });
  const state = new SearchState(cfg, c.input, c.classes);
  const rng = new Rng(7);
  const per = c.input[0] * c.input[1] * c.input[2];
  const batch = () => ({
    x: tf.tensor4d(Float32Array.from({ length: c.batch * per }, () => rng.normal()), [c.batch, ...c.input]),
    y: tf.tensor1d(Int32Array.from({ length: c.batch }, () => rng.int(c.classes)), 'int32'),
  });
  const a = batch();
  const w = batch();
  try {
    const samples: BrowserBenchFigures['iterations'] = [];
    let first = NaN;
    for (let i = 0; i < o.warmup + o.iterations; i++) {
      const t0 = performance.now();
      await alphaStep(state, a.x, a.y);
      const t1 = performance.now();
      const r = await weightStep(state, w.x, w.y, cfg.w.lr);
      const t2 = performance.now();
      if (!Number.isFinite(r.loss)) throw new Error(`loss became ${r.loss}`);
      const s = { wallSeconds: (t2 - t0) / 1000, alphaSeconds: (t1 - t0) / 1000, weightSeconds: (t2 - t1) / 1000 };
      if (i === 0) first = s.wallSeconds;
      if (i >= o.warmup) samples.push(s);
      ctx.log(`${c.name} on ${ctx.backend}: ${i < o.warmup ? 'warm-up' : 'iteration'} ${s.wallSeconds.toFixed(3)} s (α ${s.alphaSeconds.toFixed(3)}, w ${s.weightSeconds.toFixed(3)})`);
      ctx.progress(i + 1, o.warmup + o.iterations);
    }
    const mem = tf.memory();
    const secondsPerIteration = median(samples.map((s) => s.wallSeconds));
    let kernels: BrowserBenchFigures['kernels'] = null;
    let peak: number | null = null;
    if (o.profile) {
      const registered = new Set(tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelName));
      const info = await tf.profile(async () => {
        await alphaStep(state, a.x, a.y);
        await weightStep(state, w.x, w.y, cfg.w.lr);
      });
      peak = info.peakBytes;
      const launches = info.kernels.filter((k) => registered.has(k.name)).length;
      kernels = { launches, customGradCalls: info.kernels.length - launches, profileEntries: info.kernels.length };
    }
    let forward: BrowserBenchFigures['forward'] = null;
    if (o.forwardRepeats > 0) {
      const seconds: number[] = [];
      for (let i = 0; i < o.forwardRepeats + 1; i++) {
        const t0 = performance.now();
        const out = tf.tidy(() => state.net.forward(w.x, state.arch.weights(), { training: false }));
        await out.data();
        out.dispose();
        if (i > 0) seconds.push((performance.now() - t0) / 1000);
      }
      const m = median(seconds);
      forward = { seconds, medianSeconds: m, imagesPerSecond: c.batch / m };
    }
    const perImage = searchNetworkCost(state.net.options).multiplyAdds;
    const perIteration = perImage * c.batch * 2 * 3;
    return {
      backend: ctx.backend,
      parameters: state.net.params.count(),
      iterations: samples,
      firstIterationSeconds: first,
      secondsPerIteration,
      imagesPerSecond: (2 * c.batch) / secondsPerIteration,
      forward,
      memory: { tfBytesBetweenSteps: mem.numBytes, tfTensorsBetweenSteps: mem.numTensors, tfPeakBytesDuringIteration: peak },
      kernels,
      flops: { forwardMultiplyAddsPerImage: perImage, multiplyAddsPerIteration: perIteration, achievedGflops: (2 * perIteration) / secondsPerIteration / 1e9 },
      matMulGflops: await matMulGflops(ctx),
    };
  } finally {
    tf.dispose([a.x, a.y, w.x, w.y]);
    state.dispose();
  }
}

/** The backend's dense-compute ceiling: a square float32 matMul, best of a few, read back asynchronously. */
async function matMulGflops(ctx: CheckContext, n = 512, repeats = 5): Promise<number> {
  const { tf } = ctx;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  try {
    const once = async () => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    };
    await once();
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await once();
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return (2 * n ** 3) / best / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}
