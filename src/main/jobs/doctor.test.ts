// nasw doctor's report: on this machine (no tfjs-node-gpu, no GPU) and on simulated machines.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeDoctorDeps, parseGpuQuery, runDoctor, type DoctorDeps } from './doctor';

/** A machine described by its files and programs; the backends are the real cpu/wasm ones. */
function machine(over: Partial<DoctorDeps> & { files?: Record<string, string[]>; programs?: Record<string, string> } = {}): DoctorDeps {
  const real = nodeDoctorDeps(false);
  const files = over.files ?? {};
  const programs = over.programs ?? {};
  return {
    ...real,
    env: { LD_LIBRARY_PATH: '/opt/libs' },
    platform: 'linux',
    arch: 'x64',
    packageInfo: () => null,
    exists: () => false,
    listDir: (dir) => files[dir] ?? [],
    run: (cmd, args) => {
      const key = [cmd, ...args].join(' ');
      const hit = Object.entries(programs).find(([k]) => key === k || (k === cmd && args.length === 0));
      return hit ? { status: 0, stdout: hit[1], stderr: '' } : null;
    },
    ...over,
  };
}

const GPU_QUERY = 'nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits';

afterEach(() => {
  if (tf.findBackend('tensorflow')) tf.removeBackend('tensorflow');
});

describe('nasw doctor', () => {
  it('reports this machine: no native module, wasm chosen, and how to install the GPU path without the 403ing download', async () => {
    const r = await runDoctor(nodeDoctorDeps(false));
    const by = Object.fromEntries(r.backends.map((b) => [b.name, b]));
    expect(by['tensorflow']!.loads).toBe(false);
    expect(by['wasm']!.loads).toBe(true);
    expect(by['cpu']!.loads).toBe(true);
    expect(r.auto).toMatchObject({ backend: 'wasm' });
    expect(r.tensorflow.gpuPackage.version).toBeNull();
    expect(r.tensorflow.binding.loads).toBe(false);
    expect(r.tensorflow.compute.onGpu).toBeNull();
    expect(r.summary.join('\n')).toMatch(/tfjs-node-gpu is not installed/);
    const install = r.install.join('\n');
    expect(install).toMatch(/TFJS_NODE_CDN_STORAGE=https:\/\//);
    expect(install).toMatch(/custom-binary\.json/);
    expect(install).toMatch(/libtensorflow-gpu-linux-x86_64-2\.9\.1\.tar\.gz/);
    expect(install).toMatch(/--ignore-scripts/);
    expect(install).toMatch(/403/);
  });

  it('finds CUDA 11 / cuDNN 8 libraries and the GPU from nvidia-smi', async () => {
    const r = await runDoctor(
      machine({
        files: { '/opt/libs': ['libcudart.so.11.0', 'libcudart.so.11.2.152', 'libcublas.so.11', 'libcudnn.so.8', 'libcudnn.so.8.1.1', 'libm.so.6'] },
        programs: { [GPU_QUERY]: 'NVIDIA H200, 143771, 565.57.01\n', 'nvidia-smi': '| NVIDIA-SMI 565.57.01  Driver Version: 565.57.01  CUDA Version: 12.7 |' },
      }),
    );
    expect(r.tensorflow.cuda).toMatchObject({ ok: true, found: ['11.0', '11.2.152'] });
    expect(r.tensorflow.cudnn).toMatchObject({ ok: true, found: ['8', '8.1.1'] });
    expect(r.tensorflow.nvidiaSmi).toMatchObject({ present: true, driverCuda: '12.7', gpus: [{ name: 'NVIDIA H200', memoryMiB: 143771, driver: '565.57.01' }] });
    expect(r.summary.join('\n')).toMatch(/GPU: NVIDIA H200, 143771 MiB/);
  });

  it('warns that CUDA 12 alone means tfjs-node-gpu silently runs on the CPU', async () => {
    const r = await runDoctor(machine({ files: { '/opt/libs': ['libcudart.so.12', 'libcublas.so.12', 'libcudnn.so.9'] } }));
    expect(r.tensorflow.cuda.ok).toBe(false);
    expect(r.tensorflow.cudnn.ok).toBe(false);
    const s = r.summary.join('\n');
    expect(s).toMatch(/only CUDA 12\+ is present/);
    expect(s).toMatch(/nvidia-smi not found/);
  });

  it('shows why an installed tfjs-node-gpu does not load (its libtensorflow missing)', async () => {
    const r = await runDoctor(
      machine({
        packageInfo: (name) => (name === '@tensorflow/tfjs-node-gpu' ? { version: '4.22.0', dir: '/app/node_modules/@tensorflow/tfjs-node-gpu' } : null),
        backendHost: { loadNative: () => Promise.reject(new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory')) },
      }),
    );
    expect(r.tensorflow.gpuPackage.version).toBe('4.22.0');
    expect(r.tensorflow.binding).toMatchObject({ loads: false });
    expect(r.tensorflow.binding.error).toMatch(/libtensorflow\.so\.2: cannot open shared object file/);
    expect(r.summary.join('\n')).toMatch(/libtensorflow 2\.9\.1 is missing \(\/app\/node_modules\/@tensorflow\/tfjs-node-gpu\/deps\/lib\/libtensorflow\.so\.2\.9\.1\)/);
    expect(r.install.length).toBeGreaterThan(0);
  });

  for (const [tfGflops, onGpu] of [
    [2400, true],
    [45, false],
  ] as const) {
    it(`tells a GPU from a CPU fallback by timing a matMul (tensorflow at ${tfGflops} GFLOP/s vs wasm at 15)`, async () => {
      // A stand-in 'tensorflow' backend (the cpu one under that name) for a binding that loads.
      const host = { loadNative: async () => (tf.registerBackend('tensorflow', tf.findBackendFactory('cpu')!), { device: 'TensorFlow native', gpu: false }) };
      const r = await runDoctor(machine({ backendHost: host, timeMatMul: async (b) => (b === 'tensorflow' ? tfGflops : 15) }));
      expect(r.tensorflow.binding.loads).toBe(true);
      expect(r.tensorflow.compute).toMatchObject({ tensorflowGflops: tfGflops, reference: 'wasm', referenceGflops: 15, onGpu });
      expect(r.summary.join('\n')).toMatch(onGpu ? /runs on the GPU/ : /fell back to the CPU/);
      expect(r.install.length > 0).toBe(!onGpu);
    });
  }

  it('parses nvidia-smi CSV with several GPUs and odd fields', () => {
    expect(parseGpuQuery('Tesla T4, 15360, 535.104.05\nNVIDIA A100-SXM4-80GB, [N/A], 535.104.05\n')).toEqual([
      { name: 'Tesla T4', memoryMiB: 15360, driver: '535.104.05' },
      { name: 'NVIDIA A100-SXM4-80GB', memoryMiB: null, driver: '535.104.05' },
    ]);
  });
});
