// `nasw doctor`: which compute backends load, which one `auto` picks, and the whole GPU path — tfjs-node-gpu,
// libtensorflow, CUDA/cuDNN, the GPU itself, whether computation really lands on it — with install steps.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendHost } from '../nas/backend';
import { nodeBackendHost } from './backend-host';

/** tfjs-node(-gpu) 4.x: the libtensorflow it links, and the CUDA/cuDNN that libtensorflow was built for. */
export const TFJS_NODE_REQUIREMENTS = {
  libtensorflow: '2.9.1',
  cuda: '11.2',
  cudnn: '8.1',
  /** Shared-object names libtensorflow 2.9 opens: CUDA 11.x runtime/BLAS, cuDNN 8. */
  sonames: { cudart: 'libcudart.so.11.0', cublas: 'libcublas.so.11', cudnn: 'libcudnn.so.8' },
} as const;

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
const CPU_PACKAGE = '@tensorflow/tfjs-node';

/** Everything the doctor reads from the machine, injectable so the report's logic is testable anywhere. */
export interface DoctorDeps {
  env: Record<string, string | undefined>;
  platform: string;
  arch: string;
  /** Installed version and folder of a package, or null. */
  packageInfo(name: string): { version: string; dir: string } | null;
  exists(file: string): boolean;
  listDir(dir: string): string[];
  /** Run a program; null when it cannot be started (not installed). */
  run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } | null;
  /** Try each backend as `selectBackend` would (`host` loads the native binding). */
  backendHost: BackendHost;
  /** Time a matMul on the named backends (null: skip). */
  timeMatMul: ((backend: string) => Promise<number>) | null;
}

export interface LibraryFinding {
  /** The shared-object name looked for (libcudart.so.11.0, …) and its family. */
  family: 'cudart' | 'cublas' | 'cudnn';
  file: string;
  /** Major (and minor, when the file name carries it) version from the file name. */
  version: string;
}

export interface GpuInfo {
  name: string;
  memoryMiB: number | null;
  driver: string | null;
}

export interface DoctorReport {
  platform: string;
  backends: { name: string; loads: boolean; detail: string }[];
  auto: { backend: string; device: string; kind: string; notes: string[] } | { error: string };
  tensorflow: {
    gpuPackage: { name: string; version: string | null; dir: string | null };
    cpuPackage: { name: string; version: string | null };
    libtensorflow: { expected: string; file: string | null };
    binding: { loads: boolean; error: string | null };
    libraries: LibraryFinding[];
    cuda: { required: string; ok: boolean; found: string[] };
    cudnn: { required: string; ok: boolean; found: string[] };
    nvidiaSmi: { present: boolean; gpus: GpuInfo[]; driverCuda: string | null; error: string | null };
    compute: { tensorflowGflops: number | null; referenceGflops: number | null; reference: string | null; onGpu: boolean | null; note: string };
  };
  /** How to install tfjs-node-gpu when libtensorflow cannot be downloaded (the upstream address answers 403). */
  install: string[];
  summary: string[];
}

/** The real machine. */
export function nodeDoctorDeps(withCompute = true): DoctorDeps {
  const require = createRequire(import.meta.url);
  return {
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    packageInfo(name) {
      try {
        const file = require.resolve(`${name}/package.json`);
        return { version: (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version, dir: path.dirname(file) };
      } catch {
        return null;
      }
    },
    exists: (f) => fs.existsSync(f),
    listDir(dir) {
      try {
        return fs.readdirSync(dir);
      } catch {
        return [];
      }
    },
    run(cmd, args) {
      const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
      if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
    },
    backendHost: nodeBackendHost(),
    timeMatMul: withCompute ? timeMatMulOn : null,
  };
}

/** GFLOP/s of an n×n float32 matMul on a backend (best of three, after a warm-up). */
async function timeMatMulOn(backend: string): Promise<number> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`);
  await tf.ready();
  const n = backend === 'tensorflow' ? 2048 : 512;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  try {
    const once = () =>
      tf.tidy(() => {
        tf.matMul(a, b).dataSync();
      });
    once();
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      once();
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return (2 * n ** 3) / best / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}

/** Folders where CUDA/cuDNN libraries live on Linux: LD_LIBRARY_PATH first, then the usual places. */
export function libraryDirs(deps: Pick<DoctorDeps, 'env' | 'listDir'>): string[] {
  const dirs = (deps.env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean);
  dirs.push('/usr/local/cuda/lib64', '/usr/local/cuda/targets/x86_64-linux/lib');
  for (const d of deps.listDir('/usr/local')) if (/^cuda-\d/.test(d)) dirs.push(`/usr/local/${d}/lib64`, `/usr/local/${d}/targets/x86_64-linux/lib`);
  dirs.push('/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/opt/cuda/lib64');
  const conda = deps.env['CONDA_PREFIX'];
  if (conda) dirs.push(`${conda}/lib`);
  return [...new Set(dirs)];
}

const FAMILY_PATTERNS: [LibraryFinding['family'], RegExp][] = [
  ['cudart', /^libcudart\.so\.(\d+(?:\.\d+)*)$/],
  ['cublas', /^libcublas\.so\.(\d+(?:\.\d+)*)$/],
  ['cudnn', /^libcudnn\.so\.(\d+(?:\.\d+)*)$/],
];

/** CUDA runtime, cuBLAS and cuDNN libraries in the library folders and the ldconfig cache. */
export function findCudaLibraries(deps: Pick<DoctorDeps, 'env' | 'listDir' | 'run'>): LibraryFinding[] {
  const found = new Map<string, LibraryFinding>();
  const consider = (file: string) => {
    const base = path.basename(file);
    for (const [family, re] of FAMILY_PATTERNS) {
      const m = re.exec(base);
      if (m && !found.has(file)) found.set(file, { family, file, version: m[1]! });
    }
  };
  for (const dir of libraryDirs(deps)) for (const f of deps.listDir(dir)) consider(path.join(dir, f));
  const ld = deps.run('ldconfig', ['-p']) ?? deps.run('/sbin/ldconfig', ['-p']);
  if (ld && ld.status === 0) {
    for (const line of ld.stdout.split('\n')) {
      const m = /=>\s*(\S+)\s*$/.exec(line);
      if (m) consider(m[1]!);
    }
  }
  return [...found.values()].sort((a, b) => a.file.localeCompare(b.file));
}

/** nvidia-smi's GPUs (name, memory, driver) and the highest CUDA version its driver supports. */
export function queryNvidiaSmi(deps: Pick<DoctorDeps, 'run'>): DoctorReport['tensorflow']['nvidiaSmi'] {
  const q = deps.run('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits']);
  if (q === null) return { present: false, gpus: [], driverCuda: null, error: null };
  if (q.status !== 0) return { present: true, gpus: [], driverCuda: null, error: (q.stderr || q.stdout).trim().split('\n')[0] ?? `exit ${q.status}` };
  const gpus = parseGpuQuery(q.stdout);
  const plain = deps.run('nvidia-smi', []);
  const m = plain ? /CUDA Version:\s*([\d.]+)/.exec(plain.stdout) : null;
  return { present: true, gpus, driverCuda: m ? m[1]! : null, error: null };
}

export function parseGpuQuery(csv: string): GpuInfo[] {
  return csv
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [name, mem, driver] = line.split(',').map((s) => s.trim());
      const mib = Number(mem);
      return { name: name ?? line, memoryMiB: Number.isFinite(mib) ? mib : null, driver: driver ?? null };
    });
}

/** The install recipe for tfjs-node-gpu without Google's libtensorflow download. */
export function installSteps(platform: string, arch: string): string[] {
  const sys = `gpu-${platform === 'win32' ? 'windows' : platform}-${arch === 'x64' ? 'x86_64' : arch}`;
  const tarball = `libtensorflow-${sys}-${TFJS_NODE_REQUIREMENTS.libtensorflow}.tar.gz`;
  return [
    `${GPU_PACKAGE}'s install script downloads https://storage.googleapis.com/tensorflow/libtensorflow/${tarball}; since 2026 that address answers 403 (tensorflow/tfjs#8742). Use a copy of ${tarball} you have (same name, built for CUDA ${TFJS_NODE_REQUIREMENTS.cuda} / cuDNN ${TFJS_NODE_REQUIREMENTS.cudnn}):`,
    `(a) From an HTTPS mirror laid out like Google's bucket (the script only speaks https): TFJS_NODE_CDN_STORAGE=https://mirror.example/ npm install ${GPU_PACKAGE}@4.22.0 — it then fetches <mirror>/tensorflow/libtensorflow/${tarball}. TFJS_NODE_BASE_URI=https://mirror.example/any/path/libtensorflow- replaces the whole prefix instead.`,
    `(b) From a local file: npm install ${GPU_PACKAGE}@4.22.0 --ignore-scripts; mkdir -p node_modules/${GPU_PACKAGE}/deps; tar -xzf /path/to/${tarball} -C node_modules/${GPU_PACKAGE}/deps (it must give deps/lib/libtensorflow.so.${TFJS_NODE_REQUIREMENTS.libtensorflow}); npm rebuild ${GPU_PACKAGE} — the script sees the library, skips the download and builds the binding (node-gyp: needs python3, make and a C++ compiler when the prebuilt addon cannot be fetched either).`,
    `(c) A custom binary file: node_modules/${GPU_PACKAGE}/scripts/custom-binary.json with {"tf-lib": "https://…/${tarball}"} (and optionally "addon": {"host", "remote_path", "package_name"} for a mirrored prebuilt binding), then npm rebuild ${GPU_PACKAGE}.`,
    `Then: CUDA ${TFJS_NODE_REQUIREMENTS.cuda} and cuDNN ${TFJS_NODE_REQUIREMENTS.cudnn} on LD_LIBRARY_PATH (${Object.values(TFJS_NODE_REQUIREMENTS.sonames).join(', ')}); with CUDA 12 only, tfjs-node-gpu loads but silently computes on the CPU (tensorflow/tfjs#8269). Check with nasw doctor.`,
  ];
}

const majorOf = (v: string) => v.split('.')[0]!;

export async function runDoctor(deps: DoctorDeps = nodeDoctorDeps()): Promise<DoctorReport> {
  const backends: DoctorReport['backends'] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    try {
      const info = await selectBackend(name, deps.backendHost);
      backends.push({ name, loads: true, detail: info.device });
    } catch (e) {
      backends.push({ name, loads: false, detail: (e as Error).message.replace(/^backend '\w+' is not available: /, '') });
    }
  }
  backends.push({ name: 'webgl', loads: false, detail: 'runs only in the Chromium job host (browser mode), not in Node' });
  backends.push({ name: 'webgpu', loads: false, detail: 'runs only in the Chromium job host (browser mode), not in Node' });
  let auto: DoctorReport['auto'];
  try {
    const a = await selectBackend('auto', deps.backendHost);
    auto = { backend: a.backend, device: a.device, kind: a.kind, notes: a.notes };
  } catch (e) {
    auto = { error: (e as Error).message };
  }

  const gpuPkg = deps.packageInfo(GPU_PACKAGE);
  const cpuPkg = deps.packageInfo(CPU_PACKAGE);
  if (!gpuPkg && !backends[0]!.loads) backends[0]!.detail = `${GPU_PACKAGE} is not installed (optional; see "Installing the GPU path")`;
  const libFile = gpuPkg ? path.join(gpuPkg.dir, 'deps', 'lib', `libtensorflow.so.${TFJS_NODE_REQUIREMENTS.libtensorflow}`) : null;
  const native = backends[0]!;
  const libraries = deps.platform === 'linux' ? findCudaLibraries(deps) : [];
  const versions = (family: LibraryFinding['family']) => [...new Set(libraries.filter((l) => l.family === family).map((l) => l.version))].sort();
  const cudart = versions('cudart');
  const cudnn = versions('cudnn');
  const cuda = { required: TFJS_NODE_REQUIREMENTS.cuda, ok: cudart.some((v) => majorOf(v) === '11') && versions('cublas').some((v) => majorOf(v) === '11'), found: cudart };
  const cudnnR = { required: TFJS_NODE_REQUIREMENTS.cudnn, ok: cudnn.some((v) => majorOf(v) === '8'), found: cudnn };
  const smi = queryNvidiaSmi(deps);

  const compute: DoctorReport['tensorflow']['compute'] = { tensorflowGflops: null, referenceGflops: null, reference: null, onGpu: null, note: '' };
  if (!native.loads) compute.note = 'tensorflow backend not loaded: nothing to time';
  else if (!deps.timeMatMul) compute.note = 'skipped (--no-compute)';
  else {
    try {
      compute.tensorflowGflops = await deps.timeMatMul('tensorflow');
      const ref = backends.find((b) => b.name === 'wasm')?.loads ? 'wasm' : 'cpu';
      compute.reference = ref;
      compute.referenceGflops = await deps.timeMatMul(ref);
      // A GPU does a 2048² matMul at hundreds to thousands of GFLOP/s; libtensorflow on a few CPU cores at tens.
      compute.onGpu = compute.tensorflowGflops >= 300 && compute.tensorflowGflops >= 10 * compute.referenceGflops;
      compute.note = compute.onGpu
        ? 'the tensorflow backend computes far faster than the CPU: it runs on the GPU'
        : 'the tensorflow backend computes at CPU speed: libtensorflow found no usable GPU (CUDA/cuDNN versions, driver) and fell back to the CPU';
    } catch (e) {
      compute.note = `timing failed: ${(e as Error).message}`;
    }
  }

  const summary: string[] = [];
  summary.push('error' in auto ? `auto: no backend could be initialised (${auto.error})` : `auto chooses ${auto.backend} (${auto.device})`);
  if (!gpuPkg) summary.push(`${GPU_PACKAGE} is not installed: the GPU path is off (the engine's best CPU backend, wasm, is used)`);
  else if (!native.loads) summary.push(`${GPU_PACKAGE} ${gpuPkg.version} is installed but its native binding does not load: ${native.detail}`);
  if (gpuPkg && libFile && !deps.exists(libFile)) summary.push(`libtensorflow ${TFJS_NODE_REQUIREMENTS.libtensorflow} is missing (${libFile})`);
  if (deps.platform === 'linux') {
    if (!cuda.ok) summary.push(`no CUDA 11.x runtime/cuBLAS found (needs ${TFJS_NODE_REQUIREMENTS.sonames.cudart}, ${TFJS_NODE_REQUIREMENTS.sonames.cublas}; found cudart ${cudart.join(', ') || 'none'})`);
    if (!cudnnR.ok) summary.push(`no cuDNN 8 found (needs ${TFJS_NODE_REQUIREMENTS.sonames.cudnn}; found ${cudnn.join(', ') || 'none'})`);
    if (!cuda.ok && cudart.some((v) => Number(majorOf(v)) >= 12)) summary.push('only CUDA 12+ is present: tfjs-node-gpu 4.x would load and silently compute on the CPU');
  }
  if (!smi.present) summary.push('nvidia-smi not found: no NVIDIA driver (or not on PATH)');
  else if (smi.error) summary.push(`nvidia-smi failed: ${smi.error}`);
  else for (const g of smi.gpus) summary.push(`GPU: ${g.name}, ${g.memoryMiB ?? '?'} MiB, driver ${g.driver ?? '?'}${smi.driverCuda ? ` (supports CUDA ≤ ${smi.driverCuda})` : ''}`);
  if (compute.onGpu !== null) summary.push(compute.note);

  return {
    platform: `${deps.platform} ${deps.arch}`,
    backends,
    auto,
    tensorflow: {
      gpuPackage: { name: GPU_PACKAGE, version: gpuPkg?.version ?? null, dir: gpuPkg?.dir ?? null },
      cpuPackage: { name: CPU_PACKAGE, version: cpuPkg?.version ?? null },
      libtensorflow: { expected: TFJS_NODE_REQUIREMENTS.libtensorflow, file: libFile && deps.exists(libFile) ? libFile : null },
      binding: { loads: native.loads, error: native.loads ? null : native.detail },
      libraries,
      cuda,
      cudnn: cudnnR,
      nvidiaSmi: smi,
      compute,
    },
    install: native.loads && compute.onGpu !== false ? [] : installSteps(deps.platform, deps.arch),
    summary,
  };
}

export function formatDoctor(r: DoctorReport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no ');
  const t = r.tensorflow;
  const lines = [
    `nasw doctor — ${r.platform}, Node ${process.version}, ${os.cpus().length} cores`,
    '',
    'Backends:',
    ...r.backends.map((b) => `  ${b.name.padEnd(10)} ${b.loads ? 'loads' : '—    '}  ${b.detail}`),
    'error' in r.auto ? `  auto → none: ${r.auto.error}` : `  auto → ${r.auto.backend} (${r.auto.device}, ${r.auto.kind})${r.auto.notes.length ? `; ${r.auto.notes.join('; ')}` : ''}`,
    '',
    'GPU path (tensorflow backend):',
    `  ${t.gpuPackage.name}: ${t.gpuPackage.version ?? 'not installed'}${t.cpuPackage.version ? `   (${t.cpuPackage.name} ${t.cpuPackage.version} is installed: CPU only)` : ''}`,
    `  libtensorflow ${t.libtensorflow.expected}: ${t.libtensorflow.file ?? 'not found'}`,
    `  native binding loads: ${yes(t.binding.loads)}${t.binding.error ? ` (${t.binding.error})` : ''}`,
    `  CUDA ${t.cuda.required} runtime: ${t.cuda.ok ? 'found' : 'missing'} (libcudart versions: ${t.cuda.found.join(', ') || 'none'})`,
    `  cuDNN ${t.cudnn.required}: ${t.cudnn.ok ? 'found' : 'missing'} (libcudnn versions: ${t.cudnn.found.join(', ') || 'none'})`,
    `  nvidia-smi: ${t.nvidiaSmi.present ? (t.nvidiaSmi.error ?? `${t.nvidiaSmi.gpus.length} GPU(s)${t.nvidiaSmi.driverCuda ? `, driver supports CUDA ≤ ${t.nvidiaSmi.driverCuda}` : ''}`) : 'not found'}`,
    ...t.nvidiaSmi.gpus.map((g) => `    ${g.name} — ${g.memoryMiB ?? '?'} MiB — driver ${g.driver ?? '?'}`),
    `  computes on the GPU: ${t.compute.onGpu === null ? 'unknown' : yes(t.compute.onGpu)} — ${t.compute.note}${t.compute.tensorflowGflops !== null ? ` (matMul: tensorflow ${t.compute.tensorflowGflops.toFixed(0)} GFLOP/s, ${t.compute.reference} ${t.compute.referenceGflops?.toFixed(1)} GFLOP/s)` : ''}`,
    '',
    'Summary:',
    ...r.summary.map((s) => `  • ${s}`),
  ];
  if (r.install.length) lines.push('', 'Installing the GPU path:', ...r.install.map((s) => `  ${s}`));
  return lines.join('\n');
}
