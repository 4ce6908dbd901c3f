// The wasm backend's heap limit made visible: a failed allocation throws a clear error instead of corrupting memory.
import * as tf from '@tensorflow/tfjs';

/** Thrown when the wasm backend's heap cannot hold a new tensor. */
export class WasmHeapExhausted extends Error {
  constructor(
    readonly requested: number,
    readonly heapBytes: number,
  ) {
    const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    super(
      `out of memory on the wasm backend: a ${mib(requested)} tensor did not fit in its heap (${mib(heapBytes)} in use, 4 GiB at most); ` +
        'use a smaller batch, fewer cells or channels, or a GPU backend',
    );
    this.name = 'WasmHeapExhausted';
  }
}

interface WasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  asm?: { memory?: WebAssembly.Memory };
}

const guarded = new WeakSet<object>();

/**
 * tfjs-backend-wasm 4.22 does not check `_malloc`'s result: past the 4 GiB heap it gets 0 and writes the
 * tensor over the start of the heap, which surfaces later as a WebAssembly trap ("divide by zero",
 * "memory access out of bounds") far from the cause. Wrap the active wasm backend's allocator (once) so
 * the allocation that does not fit throws instead.
 */
export function guardWasmHeap(): void {
  if (tf.getBackend() !== 'wasm') return;
  const wasm = (tf.backend() as unknown as { wasm?: WasmModule }).wasm;
  if (!wasm || guarded.has(wasm)) return;
  // Emscripten binds its exports lazily: the first call replaces Module._malloc with the raw export, which
  // would drop a wrapper installed before it. Make that first call now.
  wasm._free(wasm._malloc(16));
  const malloc = wasm._malloc.bind(wasm);
  // The memory's own size (a threaded build's views can lag behind a growth made by another thread).
  const heapBytes = () => Math.max(wasm.HEAPU8.length, wasm.asm?.memory?.buffer.byteLength ?? 0);
  wasm._malloc = (bytes: number) => {
    const p = malloc(bytes) >>> 0;
    // Past 4 GiB the allocator can also hand back a block whose end wraps around the 32-bit address space
    // (its break pointer overflows): a block that does not end inside the memory is as much a failure as 0.
    if (bytes > 0 && (p === 0 || p + bytes > heapBytes())) throw new WasmHeapExhausted(bytes, heapBytes());
    return p;
  };
  guarded.add(wasm);
}

/**
 * A raw WebAssembly trap never reaches a user as is: it becomes an error that says what it means here
 * (on the wasm backend it follows a heap overrun or a kernel's bad index), keeping the trap's text.
 */
export function explainEngineError(e: unknown): unknown {
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
    return new Error(
      `the WebAssembly engine stopped (${e.message}); this usually means its 4 GiB heap ran out: use a smaller batch, fewer cells or channels, or a GPU backend`,
      { cause: e },
    );
  }
  return e;
}
