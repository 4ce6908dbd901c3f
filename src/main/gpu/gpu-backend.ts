// Backend activation inside Chromium, with the gates: float32 render targets, a named device, software never called a GPU.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendInfoDto } from '../../shared/backend-info';
import { classifyDevice, deviceLabel } from './device-kind';
import type { ChromiumBackend, GateReport, StartMessage } from './protocol';
import { patchWebgpuAddN } from './webgpu-addn';

export interface ActivateOptions {
  /** Where the tfjs wasm binaries are served (out/gpu/wasm/). */
  wasmPath?: string;
  tfFlags?: StartMessage['tfFlags'];
  simulate?: StartMessage['simulate'];
}

/** Thrown when a gate refuses the backend; `gates` says what was found. */
export class BackendRefused extends Error {
  constructor(
    message: string,
    readonly gates: GateReport,
  ) {
    super(message);
  }
}

let wasmReady: Promise<void> | null = null;

async function loadWasm(wasmPath: string | undefined): Promise<void> {
  wasmReady ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (wasmPath) wasm.setWasmPaths(wasmPath);
  })();
  return wasmReady;
}

/** Hide EXT_color_buffer_float from WebGL2 contexts: what a device without float32 render targets looks like. */
function hideFloat32RenderTargets(): void {
  const proto = (globalThis as { WebGL2RenderingContext?: { prototype: WebGL2RenderingContext } }).WebGL2RenderingContext?.prototype;
  if (!proto) return;
  const original = proto.getExtension as (this: WebGL2RenderingContext, name: string) => unknown;
  (proto as { getExtension: unknown }).getExtension = function (this: WebGL2RenderingContext, name: string) {
    if (name === 'EXT_color_buffer_float' || name === 'WEBGL_color_buffer_float') return null;
    return original.call(this, name);
  };
}

async function setActive(name: ChromiumBackend): Promise<string | null> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tfjs could not initialise the ${name} backend`;
    await tf.ready();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** WebGL: the renderer string (unmasked where the browser allows) and tfjs' float capabilities. */
function webglGates(): GateReport {
  const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = str(dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  const vendor = str(dbg ? gl.getParameter(dbg.UNMASKED_VENDOR_WEBGL) : gl.getParameter(gl.VENDOR));
  const env = tf.env();
  const webgl = {
    version: env.getNumber('WEBGL_VERSION'),
    vendor,
    renderer,
    float32RenderTargets: env.getBool('WEBGL_RENDER_FLOAT32_CAPABLE'),
    float32Enabled: env.getBool('WEBGL_RENDER_FLOAT32_ENABLED'),
    forcedHalfFloat: env.getBool('WEBGL_FORCE_F16_TEXTURES'),
  };
  const cls = classifyDevice([renderer, vendor]);
  const gates: GateReport = { backend: 'webgl', device: deviceLabel(renderer, vendor), kind: cls.kind, softwareReason: cls.reason, webgl };
  if (!webgl.float32RenderTargets || !webgl.float32Enabled || webgl.forcedHalfFloat) {
    gates.refused =
      `WebGL on ${gates.device} cannot render to float32 textures ` +
      `(${webgl.forcedHalfFloat ? 'half floats were forced' : 'no EXT_color_buffer_float'}); ` +
      'training on half floats gives gradients off by several per cent, so the webgl backend is refused. Choose webgpu, wasm or cpu.';
  }
  return gates;
}

/**
 * The engine reads tensors back only asynchronously (nas/readback.ts). tfjs-webgpu's dataSync copies through
 * a canvas, which returns zeros on some adapters (SwiftShader: tfjs#7630) and stalls the GPU everywhere: a
 * synchronous read of a GPU-resident tensor is made an error here, so a missed one fails loudly instead of
 * training on zeros. Values already on the CPU (uploads, CPU-forwarded results) are read as before.
 */
function forbidWebgpuSyncReads(): void {
  type DataId = object;
  const backend = tf.backend() as unknown as {
    readSync(id: DataId): unknown;
    tensorMap?: { get(id: DataId): { values?: unknown; dtype?: string } | undefined };
    nasSyncReadsForbidden?: boolean;
  };
  if (backend.nasSyncReadsForbidden) return;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (id: DataId) => {
    const d = backend.tensorMap?.get(id);
    if (d && d.values == null && d.dtype !== 'string') {
      throw new Error('a synchronous read (dataSync/arraySync) of a WebGPU tensor: WebGPU has no synchronous readback; read it with await data()');
    }
    return readSync(id);
  };
  backend.nasSyncReadsForbidden = true;
}

/** WebGPU: the adapter's own description and whether it is a fallback (CPU) adapter. */
async function webgpuGates(): Promise<GateReport> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(o?: unknown): Promise<unknown> } }).gpu;
  type Info = { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  const adapter = (await gpu?.requestAdapter({ powerPreference: tf.env().getBool('WEBGPU_USE_LOW_POWER_GPU') ? 'low-power' : 'high-performance' })) as
    | { info?: Info; isFallbackAdapter?: boolean }
    | null
    | undefined;
  const info: Info = adapter?.info ?? (tf.backend() as unknown as { adapterInfo?: Info }).adapterInfo ?? {};
  const webgpu = {
    vendor: str(info.vendor),
    architecture: str(info.architecture),
    device: str(info.device),
    description: str(info.description),
    fallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter?.isFallbackAdapter),
  };
  const cls = classifyDevice([webgpu.description, webgpu.vendor, webgpu.architecture, webgpu.device], { fallbackAdapter: webgpu.fallbackAdapter });
  const named = webgpu.description || [webgpu.vendor, webgpu.architecture, webgpu.device].filter(Boolean).join(' ');
  const device = `${named || 'unnamed adapter'}${webgpu.fallbackAdapter ? ' (fallback adapter)' : ''}`;
  return { backend: 'webgpu', device, kind: cls.kind, softwareReason: cls.reason, webgpu };
}

/**
 * Make `name` the active tfjs backend and run its gates. Throws BackendRefused when it cannot run or a
 * gate refuses it; a software device is allowed (and labelled `software`), never called a GPU.
 */
export async function activateBackend(name: ChromiumBackend, o: ActivateOptions = {}): Promise<GateReport> {
  tf.env().set('PROD', true);
  if (o.simulate?.noFloat32RenderTargets) hideFloat32RenderTargets();
  if (name === 'webgpu' && !('gpu' in navigator)) {
    const gates: GateReport = { backend: name, device: 'none', kind: 'software', refused: 'WebGPU is not available in this Chromium (it needs --enable-unsafe-webgpu; on Linux also --enable-features=Vulkan)' };
    throw new BackendRefused(gates.refused!, gates);
  }
  // One shader per op rather than per op and shape: a supernet has hundreds of shapes, and each compile
  // costs tens of milliseconds (seconds in all on a software GPU). Correctness is the self-test's job.
  if (name === 'webgl' && !(o.tfFlags && 'WEBGL_USE_SHAPES_UNIFORMS' in o.tfFlags)) tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
  // After the wasm backend's import, which registers its flags. Threads are opt-in (tfFlags
  // WASM_HAS_MULTITHREAD_SUPPORT): on this project's 2-core machine the threaded build hung on the
  // MNIST-sized network (the tiny one ran), and a page gets one thread there anyway.
  if (name === 'wasm') {
    await loadWasm(o.wasmPath);
    if (!(o.tfFlags && 'WASM_HAS_MULTITHREAD_SUPPORT' in o.tfFlags)) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  for (const [flag, value] of Object.entries(o.tfFlags ?? {})) tf.env().set(flag, value);
  if (name === 'webgpu' && !o.simulate?.unpatchedKernels) patchWebgpuAddN();
  const failure = await setActive(name);
  if (failure) {
    const gates: GateReport = { backend: name, device: 'none', kind: name === 'wasm' || name === 'cpu' ? 'cpu' : 'software', refused: `the ${name} backend did not start: ${failure}` };
    throw new BackendRefused(gates.refused!, gates);
  }
  let gates: GateReport;
  if (name === 'webgpu') forbidWebgpuSyncReads();
  if (name === 'webgl') gates = webglGates();
  else if (name === 'webgpu') gates = await webgpuGates();
  else if (name === 'wasm') {
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
    const threads = getThreadsCount();
    gates = { backend: name, device: `CPU (WebAssembly in Chromium, SIMD, ${threads} thread${threads === 1 ? '' : 's'})`, kind: 'cpu' };
  } else gates = { backend: name, device: 'CPU (JavaScript in Chromium)', kind: 'cpu' };
  if (gates.refused) throw new BackendRefused(gates.refused, gates);
  return gates;
}

/** Switch back to an already-initialised backend (after the self-test used cpu). */
export async function reactivate(name: ChromiumBackend): Promise<void> {
  const failure = await setActive(name);
  if (failure) throw new Error(failure);
}

/** The run record's view of the gates: backend, device, kind, and one note per gate. */
export function backendInfo(g: GateReport): BackendInfoDto {
  const notes: string[] = ['Chromium job host'];
  if (g.kind === 'software') notes.push(`software rendering, not a GPU: ${g.softwareReason ?? 'a CPU implementation'}`);
  if (g.webgl) {
    notes.push(`WebGL ${g.webgl.version}: ${g.webgl.renderer || 'renderer not reported'}`);
    notes.push(`float32 render targets: ${g.webgl.float32RenderTargets ? 'yes' : 'no'}${g.webgl.forcedHalfFloat ? ' (half floats forced)' : ''}`);
  }
  if (g.webgpu) {
    const w = g.webgpu;
    notes.push(`WebGPU adapter: ${[w.vendor, w.architecture, w.device, w.description].filter(Boolean).join(' / ') || 'unnamed'}${w.fallbackAdapter ? ' (fallback adapter)' : ''}`);
  }
  if (g.selfTest) {
    const s = g.selfTest;
    notes.push(
      `self-test vs cpu: ${s.passed ? 'passed' : 'FAILED'}, max relative gradient difference ${s.maxRelative.toExponential(2)} (tolerance ${s.tolerance.toExponential(0)})${s.cached ? ', on record for this device' : ''}`,
    );
  }
  return { backend: g.backend, device: g.device, kind: g.kind, notes };
}
