// Test-only: switch tfjs between the CPU backends every op test runs on.
import * as tf from '@tensorflow/tfjs';
import { guardWasmHeap } from '../kernels/wasm-heap';

export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

let wasmLoaded = false;

/** Make `name` the active backend (importing wasm registers it and makes it default: set explicitly). */
export async function useBackend(name: TestBackend): Promise<void> {
  tf.env().set('PROD', true); // silences tfjs' "install tfjs-node" banner in Node
  if (name === 'wasm' && !wasmLoaded) {
    await import('@tensorflow/tfjs-backend-wasm');
    wasmLoaded = true;
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
  guardWasmHeap();
}
