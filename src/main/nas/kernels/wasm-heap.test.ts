import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../testing/backends';
import { WasmHeapExhausted, explainEngineError } from './wasm-heap';

beforeAll(() => useBackend('wasm'));

it('a block the allocator hands back past the end of the memory (its break pointer wrapped) is refused too', () => {
  // Raw 2.2 GB requests on a fresh heap (so first in this file): unchecked, the second came back as 2 200 092 384, a block ending at 4.4 GB (measured).
  const wasm = (tf.backend() as unknown as { wasm: { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array } }).wasm;
  const got: number[] = [];
  let thrown: unknown;
  for (let i = 0; i < 2 && thrown === undefined; i++) {
    try {
      got.push(wasm._malloc(2_200_000_000));
    } catch (e) {
      thrown = e;
    }
  }
  for (const p of got) expect(p + 2_200_000_000).toBeLessThanOrEqual(wasm.HEAPU8.length);
  for (const p of got) wasm._free(p);
  expect(thrown).toBeInstanceOf(WasmHeapExhausted);
});

it('an allocation past the wasm heap is a clear error, not a silent write over address 0', () => {
  // Two 2.2 GB outputs cannot both fit in the 4 GiB heap. Unchecked, the second gets address 0, so the kernel
  // filling it writes over the heap's start and a later op traps ("divide by zero", "memory access out of bounds").
  // makeOutput only reserves (no page is touched), so the test costs address space, not memory.
  const backend = tf.backend() as unknown as { makeOutput(s: number[], d: string): tf.TensorInfo; disposeData(id: object): void };
  const first = backend.makeOutput([550_000_000], 'float32');
  let thrown: unknown;
  let second: tf.TensorInfo | undefined;
  try {
    second = backend.makeOutput([550_000_000], 'float32');
  } catch (e) {
    thrown = e;
  }
  backend.disposeData(first.dataId);
  if (second) backend.disposeData(second.dataId);
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).message).toMatch(/^out of memory on the wasm backend: a 2098 MiB tensor did not fit in its heap/);
  // The backend still works afterwards.
  expect(Array.from(tf.add(tf.tensor1d([1, 2]), 1).dataSync())).toEqual([2, 3]);
});

it('a raw WebAssembly trap becomes an error that says what it means', () => {
  const trap = new WebAssembly.RuntimeError('divide by zero');
  const e = explainEngineError(trap) as Error;
  expect(e).not.toBeInstanceOf(WebAssembly.RuntimeError);
  expect(e.message).toContain('the WebAssembly engine stopped (divide by zero)');
  expect(e.message).toContain('smaller batch');
  const other = new Error('x');
  expect(explainEngineError(other)).toBe(other);
});
