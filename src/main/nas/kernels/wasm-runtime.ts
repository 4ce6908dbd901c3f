// Compiles the SIMD kernels against the wasm backend's own memory and runs them on tensors in place (no copies).
import * as tf from '@tensorflow/tfjs';
import { assembleModule, type Fn } from './wasm-assembler';

/** The parts of tfjs-backend-wasm's BackendWasm this file uses (not in its public typings). */
interface WasmBackend {
  wasm: {
    asm: { memory?: WebAssembly.Memory };
    HEAPF32: Float32Array;
    HEAPF64: Float64Array;
    HEAP32: Int32Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  incRef(dataId: object): void;
}

type KernelFn = (...args: number[]) => void;

/**
 * One per wasm backend instance: a cache of compiled kernels (each specialised module compiles once, in
 * about a millisecond) and a scratch area for float64 totals and argument lists.
 */
export class WasmRuntime {
  private readonly fns = new Map<string, KernelFn>();
  private readonly scratchSlots = new Map<number, { ptr: number; bytes: number }>();
  /** Kernel calls made directly (reductions that return numbers, not tensors); the bench adds them to tf.profile's count. */
  static directCalls = 0;

  constructor(
    readonly backend: WasmBackend,
    private readonly memory: WebAssembly.Memory,
  ) {}

  /** The compiled kernel for `key`, built by `build` the first time. */
  fn(key: string, build: () => Fn): KernelFn {
    let f = this.fns.get(key);
    if (!f) {
      const fn = build();
      const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleModule([fn]) as BufferSource), { env: { memory: this.memory } });
      f = instance.exports[fn.name] as KernelFn;
      this.fns.set(key, f);
    }
    return f;
  }

  /** Byte offset of a tensor's data in the heap. */
  ptr(t: tf.TensorInfo): number {
    const d = this.backend.dataIdMap.get(t.dataId);
    if (!d) throw new Error('wasm kernels: tensor is not on the wasm backend (or was disposed)');
    return d.memoryOffset;
  }

  /** Current views (a heap growth replaces the buffers, so never hold on to them across allocations). */
  get f32(): Float32Array {
    return this.backend.wasm.HEAPF32;
  }
  get f64(): Float64Array {
    return this.backend.wasm.HEAPF64;
  }
  get i32(): Int32Array {
    return this.backend.wasm.HEAP32;
  }

  /**
   * A scratch block of at least `bytes` (16-byte aligned, contents undefined), one per `slot` (0: small
   * arguments and totals; 1, 2: padded copies of activations). Valid until the next request of that slot.
   */
  scratch(bytes: number, slot = 0): number {
    let s = this.scratchSlots.get(slot);
    if (!s || bytes > s.bytes) {
      if (s) this.backend.wasm._free(s.ptr);
      const size = Math.max(bytes, s ? Math.ceil(1.25 * s.bytes) : 0, 1 << 16);
      const ptr = this.backend.wasm._malloc(size + 16) >>> 0;
      if (!ptr) throw new Error('wasm kernels: out of memory for scratch space');
      s = { ptr, bytes: size };
      this.scratchSlots.set(slot, s);
    }
    return (s.ptr + 15) & ~15;
  }

  /** A fresh output tensor (uninitialised memory). */
  output(shape: number[]): tf.TensorInfo {
    return this.backend.makeOutput(shape, 'float32');
  }
}

let current: { backend: object; runtime: WasmRuntime | null } | null = null;

/** The runtime for the active backend, or null when it is not wasm (or the heap's memory is not reachable). */
export function wasmRuntime(): WasmRuntime | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmBackend;
  if (current?.backend === backend) return current.runtime;
  const memory = backend.wasm?.asm?.memory;
  const runtime = memory instanceof WebAssembly.Memory && typeof WebAssembly.Module === 'function' ? new WasmRuntime(backend, memory) : null;
  current = { backend, runtime };
  return runtime;
}

/** Register a tfjs kernel on the wasm backend (once per process); its function receives the runtime. */
export function registerWasmKernel(
  name: string,
  impl: (rt: WasmRuntime, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>) => tf.TensorInfo | tf.TensorInfo[],
): void {
  if (tf.getKernel(name, 'wasm')) return;
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const rt = wasmRuntime();
      if (!rt) throw new Error(`${name}: the wasm backend is not active`);
      return impl(rt, inputs as Record<string, tf.TensorInfo>, (attrs ?? {}) as Record<string, unknown>);
    },
  });
}
