// `npm run bench`: search-iteration speed, memory and kernel counts per backend and configuration; a table and a JSON record.
//
// Each (backend, configuration) runs in its own child process, so peak RSS and the wasm heap (which never
// shrinks) belong to that measurement alone. Options: --help.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_CONFIGS, DEFAULT_CONFIG_ORDER, type BenchConfig } from './configs';
import { CHROMIUM_DEFAULT_CONFIGS, isChromiumBenchBackend, measureInChromium } from './gpu-host';
import { machineInfo, versionInfo } from './machine';
import type { BenchFigures, MeasureOptions } from './measure';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const LAUNCHER = path.join(ROOT, 'bin', 'bench.js');

export interface BenchOptions {
  backends: string[];
  /** Configuration names; null = each backend's defaults (see DEFAULT_CONFIGS_BY_BACKEND). */
  configs: string[] | null;
  iterations: number;
  warmup: number;
  forwardRepeats: number;
  discretizeBatches: number;
  discretizeImages: number;
  profile: boolean;
  outDir: string | null;
  machine?: string;
  /** Override every configuration's batch size (the reference rows are at 64). */
  batch?: number;
  /** Data-parallel peers (worker threads, synchronised batch norm, summed gradients) per measurement. */
  threads: number;
  json: boolean;
}

/**
 * The default plan fits in 15 minutes on the 2-core machine: the plain-JavaScript cpu backend is 10–15×
 * slower than wasm (a 2-cell network's w step: 56 s vs 3.8 s), so it runs only the tiny network unless
 * asked (`--backends cpu --configs mnist`).
 */
export const DEFAULT_CONFIGS_BY_BACKEND: Record<string, string[]> = {
  wasm: ['tiny', 'mnist', 'cifar'],
  cpu: ['tiny'],
  tensorflow: ['tiny', 'mnist', 'cifar'],
  // The Chromium job host's backends (bench/gpu-host.ts): webgl, webgpu, chromium-wasm, chromium-cpu.
  ...CHROMIUM_DEFAULT_CONFIGS,
};

export interface ChildResult {
  ok: boolean;
  figures?: BenchFigures;
  matMulGflops?: number;
  error?: string;
  wallSeconds: number;
}

const HELP = `npm run bench -- [options]
  --backends a,b        backends to measure (default: wasm,cpu and tensorflow when @tensorflow/tfjs-node-gpu is installed);
                        webgl, webgpu, chromium-wasm, chromium-cpu run in the Chromium job host (headless Chromium:
                        NASW_CHROMIUM=path, NASW_CHROMIUM_PROFILE=gpu for a real GPU on Linux, NASW_CHROMIUM_ARGS=…)
  --configs a,b         ${Object.keys(BENCH_CONFIGS).join(', ')} (default per backend: ${Object.entries(DEFAULT_CONFIGS_BY_BACKEND)
    .map(([b, c]) => `${b}: ${c.join('+')}`)
    .join('; ')})
  --iterations n        timed iterations (α step + w step) per configuration, after warm-up (default 5)
  --warmup n            untimed iterations first (default 1)
  --forward n           timed eval-mode forward passes (default 3)
  --discretize-batches n  discretization batches to run, extrapolated to --discretize-images (default 4; 0 = skip)
  --discretize-images n   images of the discretization figure (default 5000)
  --no-profile          skip the tf.profile iteration (kernel counts, tf peak bytes)
  --quick               1 iteration, no warm-up, 1 forward, 1 discretization batch (a smoke run)
  --out dir             where the JSON goes (default bench/results; --no-save to skip)
  --threads n           split each batch over n data-parallel worker threads (synchronised batch norm,
                        summed gradients: the same result as one thread); default 1, as a search runs today
  --batch n             override the batch size (the PyTorch reference rows are at 64; the comparison column is then omitted)
  --machine label       machine label in the JSON and file name
  --json                print the JSON record instead of the table`;

export function parseArgs(argv: string[]): BenchOptions | 'help' {
  const o: BenchOptions = {
    backends: [],
    configs: null,
    iterations: 5,
    warmup: 1,
    forwardRepeats: 3,
    discretizeBatches: 4,
    discretizeImages: 5000,
    profile: true,
    outDir: path.join(ROOT, 'bench', 'results'),
    json: false,
    threads: 1,
  };
  const int = (v: string | undefined, flag: string, min: number) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag} expects an integer ≥ ${min}, got '${v ?? ''}'`);
    return n;
  };
  const list = (v: string | undefined, flag: string) => {
    if (!v) throw new Error(`${flag} expects a comma-separated list`);
    return v.split(',').map((s) => s.trim()).filter(Boolean);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i];
    switch (a) {
      case '-h':
      case '--help':
        return 'help';
      case '--backends':
        o.backends = list(next(), a);
        break;
      case '--configs':
        o.configs = list(next(), a);
        for (const c of o.configs) if (!BENCH_CONFIGS[c]) throw new Error(`unknown configuration '${c}' (known: ${Object.keys(BENCH_CONFIGS).join(', ')})`);
        break;
      case '--iterations':
        o.iterations = int(next(), a, 1);
        break;
      case '--warmup':
        o.warmup = int(next(), a, 0);
        break;
      case '--forward':
        o.forwardRepeats = int(next(), a, 0);
        break;
      case '--discretize-batches':
        o.discretizeBatches = int(next(), a, 0);
        break;
      case '--discretize-images':
        o.discretizeImages = int(next(), a, 1);
        break;
      case '--no-profile':
        o.profile = false;
        break;
      case '--quick':
        Object.assign(o, { iterations: 1, warmup: 0, forwardRepeats: 1, discretizeBatches: 1 });
        break;
      case '--out':
        o.outDir = path.resolve(next() ?? '');
        break;
      case '--no-save':
        o.outDir = null;
        break;
      case '--threads':
        o.threads = int(next(), a, 1);
        break;
      case '--batch':
        o.batch = int(next(), a, 1);
        break;
      case '--machine':
        o.machine = next();
        break;
      case '--json':
        o.json = true;
        break;
      default:
        throw new Error(`unknown option '${a}' (try --help)`);
    }
  }
  if (o.backends.length === 0) o.backends = defaultBackends();
  return o;
}

/** wasm and cpu always; tensorflow when the optional native binding is installed. */
export function defaultBackends(): string[] {
  const out = ['wasm', 'cpu'];
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
    out.unshift('tensorflow');
  } catch {
    // not installed (the usual case: its libtensorflow download is gone); `nasw doctor` explains
  }
  return out;
}

/** The (backend, configuration) pairs a run will measure, in order. */
export function plan(o: Pick<BenchOptions, 'backends' | 'configs'>): { backend: string; config: string }[] {
  const out: { backend: string; config: string }[] = [];
  const order = o.configs ?? DEFAULT_CONFIG_ORDER;
  for (const config of order) {
    for (const backend of o.backends) {
      if (o.configs === null && !(DEFAULT_CONFIGS_BY_BACKEND[backend] ?? DEFAULT_CONFIG_ORDER).includes(config)) continue;
      out.push({ backend, config });
    }
  }
  return out;
}

/** Run one measurement in a child process (fresh heap, its own peak RSS). */
function runChild(backend: string, config: BenchConfig, o: BenchOptions): Promise<ChildResult> {
  if (isChromiumBenchBackend(backend)) {
    const log = (line: string) => process.stderr.write(`[${backend} ${config.name}] ${line}\n`);
    return measureInChromium(backend, config, { iterations: o.iterations, warmup: o.warmup, forwardRepeats: o.forwardRepeats, profile: o.profile, selfTest: true, log }) as Promise<ChildResult>;
  }
  const resultFile = path.join(os.tmpdir(), `nasw-bench-${process.pid}-${backend}-${config.name}-${Date.now()}.json`);
  const request: ChildRequest = {
    backend,
    resultFile,
    threads: o.threads,
    measure: {
      config,
      iterations: o.iterations,
      warmup: o.warmup,
      forwardRepeats: o.forwardRepeats,
      discretizeBatches: o.discretizeBatches,
      discretizeImages: o.discretizeImages,
      profile: o.profile,
    },
  };
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LAUNCHER, '--child', JSON.stringify(request)], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => {
      const wallSeconds = (performance.now() - t0) / 1000;
      try {
        const r = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as ChildResult;
        fs.rmSync(resultFile, { force: true });
        resolve({ ...r, wallSeconds });
      } catch {
        resolve({ ok: false, error: `the measuring process ended (${signal ?? `exit ${code}`}) without a result`, wallSeconds });
      }
    });
  });
}

interface ChildRequest {
  backend: string;
  resultFile: string;
  threads: number;
  measure: Omit<MeasureOptions, 'log'>;
}

/** The child side: select the backend, measure, write the result file. */
export async function childMain(requestJson: string): Promise<void> {
  const req = JSON.parse(requestJson) as ChildRequest;
  const write = (r: Omit<ChildResult, 'wallSeconds'>) => fs.writeFileSync(req.resultFile, JSON.stringify(r));
  const tag = `[${req.backend} ${req.measure.config.name}]`;
  try {
    const { selectBackend } = await import('../src/main/nas/backend');
    const { nodeBackendHost } = await import('../src/main/jobs/backend-host');
    await selectBackend(req.backend as never, nodeBackendHost());
    const { measure, matMulPeakGflops } = await import('./measure');
    const matMulGflops = matMulPeakGflops();
    const log = (line: string) => process.stderr.write(`${tag} ${line}\n`);
    if (req.threads > 1) {
      const { runPeers } = await import('./peers');
      const { setCollective } = await import('../src/main/nas/collective');
      const input = { backend: req.backend, measure: req.measure };
      const r = await runPeers(req.threads, { module: new URL('./peer-measure.ts', import.meta.url).href, input }, async (c) => {
        setCollective(c);
        return measure({ ...req.measure, log });
      });
      const heaps = (r.others as { wasmHeapBytes: number | null }[]).map((o) => o.wasmHeapBytes ?? 0);
      if (r.main.memory.wasmHeapBytes !== null) r.main.memory.wasmHeapBytes += heaps.reduce((a, b) => a + b, 0);
      write({ ok: true, figures: r.main, matMulGflops });
    } else {
      write({ ok: true, figures: await measure({ ...req.measure, log }), matMulGflops });
    }
  } catch (e) {
    process.stderr.write(`${tag} failed: ${(e as Error).stack ?? String(e)}\n`);
    let message = (e as Error).message;
    // tfjs-backend-wasm aborts when malloc fails: its heap is a 32-bit WebAssembly memory (4 GB at most).
    if (req.backend === 'wasm' && /Aborted\(\)|out of bounds/.test(message)) message = `out of memory in the 4 GB wasm heap (${message.split('.')[0]})`;
    write({ ok: false, error: message });
  }
}

/** A configuration at another batch size: renamed `name@bN`, and no longer comparable with the reference row. */
export function withBatch(c: BenchConfig, batch: number | undefined): BenchConfig {
  if (batch === undefined || batch === c.batch) return c;
  return { ...c, name: `${c.name}@b${batch}`, description: `${c.description.replace(/batch \d+/, `batch ${batch}`)}`, batch, reference: undefined };
}

const gb = (b: number | null | undefined) => (b == null ? '—' : `${(b / 1e9).toFixed(2)} GB`);
const num = (v: number | null | undefined, d = 2) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(d));

export interface BenchRow {
  backend: string;
  config: string;
  result: ChildResult;
}

/** The human table: one row per measurement, the PyTorch reference beside it where there is one. */
export function formatTable(rows: BenchRow[]): string {
  const head = ['config', 'backend', 'thr', 's/iter', 'cpu s/iter', 'img/s', 'fwd img/s', 'discr. 5k s', 'peak RSS', 'wasm heap', 'kernels/iter', 'GFLOP/s', 'matMul peak', 'PyTorch s/iter', 'vs PyTorch'];
  const body = rows.map(({ backend, config, result: r }) => {
    if (!r.ok || !r.figures) return [config, backend, `failed: ${r.error ?? '?'}`];
    const f = r.figures;
    const ref = f.config.reference;
    const d = f.discretization;
    return [
      config,
      backend,
      String(f.threads ?? 1),
      num(f.secondsPerIteration),
      num(f.cpuSecondsPerIteration),
      num(f.imagesPerSecond, 1),
      f.forward ? num(f.forward.imagesPerSecond, 1) : '—',
      d ? `${num(d.seconds, 1)}${d.extrapolated ? '*' : ''}` : '—',
      gb(f.memory.peakRss),
      gb(f.memory.wasmHeapBytes),
      f.kernels ? String(f.kernels.launches) : '—',
      num(f.flops.achievedGflops),
      num(r.matMulGflops, 1),
      ref ? num(ref.secondsPerIteration) : '—',
      ref ? `${num(ref.secondsPerIteration / f.secondsPerIteration)}×` : '—',
    ];
  });
  const full = body.filter((r) => r.length === head.length);
  const widths = head.map((h, i) => Math.max(h.length, ...full.map((r) => r[i]!.length)));
  const line = (cells: string[]) => (cells.length < head.length ? [cells[0]!.padStart(widths[0]!), cells[1]!.padStart(widths[1]!), cells[2]].join('  ') : cells.map((c, i) => c.padStart(widths[i]!)).join('  '));
  return [line(head), ...body.map(line), '', '* extrapolated from the batches run (see the JSON); s/iter = median wall seconds of α step + w step, first order.'].join('\n');
}

export async function benchMain(argv: string[]): Promise<void> {
  const parsed = parseArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(HELP + '\n');
    return;
  }
  const o = parsed;
  const machine = machineInfo(o.machine);
  const versions = await versionInfo();
  const started = new Date();
  const rows: BenchRow[] = [];
  const pairs = plan(o);
  if (o.configs === null && o.backends.includes('cpu')) {
    process.stderr.write('note: the cpu backend runs only the tiny network by default (10–15× slower than wasm); ask with --backends cpu --configs mnist\n');
  }
  for (const { backend, config } of pairs) {
    const c = withBatch(BENCH_CONFIGS[config]!, o.batch);
    process.stderr.write(`— ${backend} / ${c.name}: ${c.description}\n`);
    rows.push({ backend, config: c.name, result: await runChild(backend, c, o) });
  }
  const record = {
    kind: 'nasw-bench',
    formatVersion: 1,
    startedAt: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    machine: { ...machine, loadAverageAtEnd: os.loadavg()[0]! },
    versions,
    options: { ...o, outDir: undefined },
    results: rows.map(({ backend, config, result }) => ({ backend, config, ...result })),
  };
  if (o.json) process.stdout.write(JSON.stringify(record, null, 2) + '\n');
  else process.stdout.write('\n' + formatTable(rows) + '\n');
  if (o.outDir) {
    fs.mkdirSync(o.outDir, { recursive: true });
    const stamp = started.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
    const file = path.join(o.outDir, `${stamp}-${machine.label}.json`);
    fs.writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
    process.stderr.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
  if (rows.some((r) => !r.result.ok)) process.exitCode = 1;
}
