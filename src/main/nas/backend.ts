// Backend selection: pick the tfjs backend, and report the backend and device really in use.
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '../../shared/search-config';
import type { BackendInfoDto } from '../../shared/backend-info';
import { guardWasmHeap } from './kernels/wasm-heap';

/** What a run really computes on; `software` is a rasteriser or a CPU posing as a GPU, never a GPU. */
export type BackendInfo = BackendInfoDto & { backend: Exclude<BackendChoice, 'auto'> };

/** Host-supplied hooks: the engine never imports Node modules, so the host loads native bindings. */
export interface BackendHost {
  /** Loads @tensorflow/tfjs-node-gpu (registers the `tensorflow` backend); rejects if absent. */
  loadNative?: () => Promise<{ device: string; gpu: boolean }>;
  /** Loads @tensorflow/tfjs-backend-wasm; by default a dynamic import. */
  loadWasm?: () => Promise<unknown>;
}

async function activate(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok;
  } catch {
    return false;
  }
}

/**
 * Select a backend. `auto` prefers a real GPU (tensorflow with CUDA), then wasm, then cpu; an
 * explicit choice that cannot load is an error, never a silent fallback.
 */
export async function selectBackend(choice: BackendChoice, host: BackendHost = {}): Promise<BackendInfo> {
  tf.env().set('PROD', true);
  const notes: string[] = [];
  const tryNative = async (): Promise<BackendInfo | string> => {
    if (!host.loadNative) return 'the host offers no native TensorFlow binding';
    try {
      const { device, gpu } = await host.loadNative();
      if (!(await activate('tensorflow'))) return 'the tensorflow backend did not initialise';
      return { backend: 'tensorflow', device, kind: gpu ? 'gpu' : 'cpu', notes };
    } catch (e) {
      return `@tensorflow/tfjs-node-gpu did not load: ${(e as Error).message}`;
    }
  };
  const tryWasm = async (): Promise<BackendInfo | string> => {
    try {
      await (host.loadWasm ?? (() => import('@tensorflow/tfjs-backend-wasm')))();
      if (!(await activate('wasm'))) return 'the wasm backend did not initialise';
      guardWasmHeap();
      return { backend: 'wasm', device: 'CPU (WebAssembly, XNNPACK)', kind: 'cpu', notes };
    } catch (e) {
      return `wasm backend did not load: ${(e as Error).message}`;
    }
  };
  const tryCpu = async (): Promise<BackendInfo | string> =>
    (await activate('cpu')) ? { backend: 'cpu', device: 'CPU (plain JavaScript)', kind: 'cpu', notes } : 'the cpu backend did not initialise';

  const attempts: Record<string, () => Promise<BackendInfo | string>> = { tensorflow: tryNative, wasm: tryWasm, cpu: tryCpu };
  if (choice === 'auto') {
    for (const name of ['tensorflow', 'wasm', 'cpu']) {
      const r = await attempts[name]!();
      if (typeof r !== 'string') {
        if (r.backend === 'tensorflow' && r.kind !== 'gpu') {
          notes.push('tfjs-node-gpu loaded but computes on the CPU (no usable CUDA 11.2 / cuDNN 8.1)');
        }
        return r;
      }
      notes.push(`${name}: ${r}`);
    }
    throw new Error(`no backend could be initialised: ${notes.join('; ')}`);
  }
  const attempt = attempts[choice];
  if (!attempt) throw new Error(`backend '${choice}' runs only in the Chromium job host`);
  const r = await attempt();
  if (typeof r === 'string') throw new Error(`backend '${choice}' is not available: ${r}`);
  return r;
}
