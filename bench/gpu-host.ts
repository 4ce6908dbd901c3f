// The bench's Chromium backends: the same configurations measured in the GPU job host (webgl, webgpu, and wasm/cpu there).
//
// `npm run bench -- --backends webgl,webgpu,chromium-wasm` routes these names here instead of a Node child
// process. Chromium is found as the job host finds it ($NASW_CHROMIUM, else a system Chromium/Chrome);
// $NASW_CHROMIUM_PROFILE=gpu adds the switches for a real GPU on Linux (see bench/gpu-check.sh).
import type { BrowserBenchFigures } from '../src/main/gpu/checks/bench';
import type { GateReport } from '../src/main/gpu/protocol';
import { GpuBackendRefused, GpuEngine } from '../src/main/jobs/chromium-host/gpu-engine';
import type { ChromiumLaunchOptions } from '../src/main/jobs/chromium-host/launchers';
import type { BenchConfig } from './configs';

/** Bench backend name → the tfjs backend in Chromium. */
export const CHROMIUM_BENCH_BACKENDS: Record<string, 'webgl' | 'webgpu' | 'wasm' | 'cpu'> = {
  webgl: 'webgl',
  webgpu: 'webgpu',
  'chromium-wasm': 'wasm',
  'chromium-cpu': 'cpu',
};

export const isChromiumBenchBackend = (name: string): boolean => name in CHROMIUM_BENCH_BACKENDS;

/** Default configurations per Chromium backend: a software GPU does the tiny and MNIST-sized networks in minutes; a real one (NASW_CHROMIUM_PROFILE=gpu) the CIFAR search network too. */
const onRealGpu = process.env.NASW_CHROMIUM_PROFILE === 'gpu';
export const CHROMIUM_DEFAULT_CONFIGS: Record<string, string[]> = {
  webgl: onRealGpu ? ['tiny', 'mnist', 'cifar'] : ['tiny', 'mnist'],
  webgpu: onRealGpu ? ['tiny', 'mnist', 'cifar'] : ['tiny', 'mnist'],
  'chromium-wasm': ['tiny', 'mnist', 'cifar'],
  'chromium-cpu': ['tiny'],
};

export interface ChromiumMeasureOptions {
  iterations: number;
  warmup: number;
  forwardRepeats: number;
  profile: boolean;
  chromium?: ChromiumLaunchOptions;
  /** Run the gradient self-test against cpu first (GPU backends): a bench figure for a wrong device is no figure. */
  selfTest?: boolean;
  log?: (line: string) => void;
}

/** The shape of bench.ts's ChildResult (kept structural so the two files stay independent). */
export interface ChromiumBenchResult {
  ok: boolean;
  figures?: Record<string, unknown>;
  matMulGflops?: number;
  error?: string;
  wallSeconds: number;
  /** What the gates found (device, kind software/gpu, self-test). */
  gates?: GateReport;
  crossOriginIsolated?: boolean;
}

/** Measure one configuration on one Chromium backend; never throws (a refusal or crash is a failed row). */
export async function measureInChromium(name: string, config: BenchConfig, o: ChromiumMeasureOptions): Promise<ChromiumBenchResult> {
  const backend = CHROMIUM_BENCH_BACKENDS[name];
  const t0 = performance.now();
  const wall = () => (performance.now() - t0) / 1000;
  if (!backend) return { ok: false, error: `not a Chromium bench backend: ${name}`, wallSeconds: 0 };
  let engine: GpuEngine | null = null;
  try {
    // NASW_CHROMIUM_WASM_THREADS=1: tfjs' threaded wasm build in the cross-origin-isolated page (off by default, see gpu-backend.ts).
    const tfFlags = backend === 'wasm' && process.env.NASW_CHROMIUM_WASM_THREADS === '1' ? { WASM_HAS_MULTITHREAD_SUPPORT: true } : undefined;
    engine = await GpuEngine.open({ backend, selfTest: o.selfTest && (backend === 'webgl' || backend === 'webgpu') ? 'always' : 'never', chromium: o.chromium, log: o.log, tfFlags });
    const f = (await engine.check('bench', {
      config: { name: config.name, space: config.space, input: config.input, batch: config.batch, classes: config.classes, nodeNormalization: config.nodeNormalization },
      iterations: o.iterations,
      warmup: o.warmup,
      forwardRepeats: o.forwardRepeats,
      profile: o.profile,
    })) as BrowserBenchFigures;
    const gates = engine.gates ?? undefined;
    // bench.ts's BenchFigures, with what a page cannot measure (process CPU time, RSS) left empty.
    const figures = {
      backend: `${name} (${gates?.device ?? backend}, ${gates?.kind ?? '?'})`,
      config,
      parameters: f.parameters,
      iterations: f.iterations.map((s) => ({ ...s, cpuSeconds: NaN })),
      secondsPerIteration: f.secondsPerIteration,
      cpuSecondsPerIteration: NaN,
      imagesPerSecond: f.imagesPerSecond,
      firstIterationSeconds: f.firstIterationSeconds,
      forward: f.forward,
      discretization: null,
      memory: { peakRssAfterIterations: null, peakRss: null, ...f.memory, wasmHeapBytes: null },
      kernels: f.kernels ? { ...f.kernels, top: [] } : null,
      flops: f.flops,
      device: gates ? { device: gates.device, kind: gates.kind, selfTest: gates.selfTest ?? null } : null,
    };
    return { ok: true, figures, matMulGflops: f.matMulGflops, wallSeconds: wall(), gates };
  } catch (e) {
    const error = e instanceof GpuBackendRefused ? `refused: ${e.message}` : (e as Error).message;
    return { ok: false, error, wallSeconds: wall(), gates: e instanceof GpuBackendRefused ? e.gates : undefined };
  } finally {
    await engine?.close();
  }
}
