// Messages between the Node job host and the engine worker in Chromium, framed by wire.ts over one WebSocket per session.
import type { BackendInfoDto } from '../../shared/backend-info';
import type { ImageBatch } from '../../shared/batches';
import type { RetrainConfig } from '../../shared/retrain-config';
import type { SearchConfig } from '../../shared/search-config';

/** Backends the Chromium host can run: the two GPU ones, and wasm/cpu (for the self-test reference and the bench). */
export const CHROMIUM_BACKENDS = ['webgl', 'webgpu', 'wasm', 'cpu'] as const;
export type ChromiumBackend = (typeof CHROMIUM_BACKENDS)[number];
export type GpuBackend = 'webgl' | 'webgpu';

export const isGpuBackend = (b: string): b is GpuBackend => b === 'webgl' || b === 'webgpu';

/** Identifies a device for the self-test record: backend, what the gates named, and the browser build. */
export function deviceKey(backend: string, device: string, userAgent: string): string {
  const browser = /(?:Chrome|Chromium|HeadlessChrome)\/[\d.]+/.exec(userAgent)?.[0] ?? userAgent;
  return `${backend} | ${device} | ${browser}`;
}

/** Gradients of one supernet step may differ from cpu's by at most this, relative (PRODUCT.md §7). */
export const SELF_TEST_TOLERANCE = 1e-4;

/** A data view the engine reads through the host: its geometry here, its batches on request. */
export interface ViewInfo {
  size: number;
  shape: [number, number, number];
  numClasses: number;
}

export type EngineJob =
  /** Select the backend, pass the gates (and the self-test if asked), report; nothing else. */
  | { kind: 'probe' }
  | { kind: 'search'; config: SearchConfig; resume?: Uint8Array; progressEvery?: number }
  | { kind: 'discretize'; checkpoint: Uint8Array; method: 'value' | 'decorrelation'; images?: number }
  | { kind: 'retrain'; config: RetrainConfig; resume?: Uint8Array; progressEvery?: number }
  | { kind: 'evaluate'; checkpoint: Uint8Array; batchSize: number }
  /** Diagnostics shipped in the bundle (op checks, search parity, bench): see checks/. */
  | { kind: 'check'; name: string; options?: unknown };

export interface StartMessage {
  type: 'start';
  backend: ChromiumBackend;
  job: EngineJob;
  /** The views the job reads (search: w, alpha, discretize; retrain: train, test). */
  views: Record<string, ViewInfo>;
  classNames: string[];
  /** Run the gradient self-test against cpu first (GPU backends), unless this device has a pass on record. */
  selfTest: boolean;
  /** Passes the host has on record for this engine build, by deviceKey(). */
  selfTestOnRecord?: Record<string, SelfTestReport>;
  /** tfjs flags to set before the backend initialises (diagnosis and tests, e.g. WEBGL_FORCE_F16_TEXTURES). */
  tfFlags?: Record<string, boolean | number>;
  /** Make the context look like a weaker device (tests of the gates). */
  simulate?: {
    noFloat32RenderTargets?: boolean;
    /** Leave tfjs' kernels unpatched (gpu/webgpu-addn.ts), to show what the patch fixes. */
    unpatchedKernels?: boolean;
  };
}

export interface SelfTestReport {
  passed: boolean;
  tolerance: number;
  /** Worst over all gradient tensors of max|g − g_cpu| / max|g_cpu|. */
  maxRelative: number;
  /** The tensor where it occurred. */
  worst: string;
  tensors: number;
  loss: { backend: number; cpu: number };
  seconds: number;
  /** True when the host had a pass on record for this device and skipped the run. */
  cached?: boolean;
}

/** What the gates found: every field is shown by `nasw doctor`, recorded in the run's notes, and in the status bar's kind. */
export interface GateReport {
  backend: ChromiumBackend;
  device: string;
  kind: 'gpu' | 'software' | 'cpu';
  /** Why the device counts as software, when it does. */
  softwareReason?: string;
  webgl?: {
    version: number;
    vendor: string;
    renderer: string;
    float32RenderTargets: boolean;
    float32Enabled: boolean;
    forcedHalfFloat: boolean;
  };
  webgpu?: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    fallbackAdapter: boolean;
  };
  selfTest?: SelfTestReport;
  /** Set when a gate refused the backend. */
  refused?: string;
}

export interface PageEnvironment {
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  offscreenCanvas: boolean;
  webgpu: boolean;
}

export type HostToEngine = StartMessage | { type: 'batch'; id: number; batch?: ImageBatch; error?: string } | { type: 'stop' };

export type EngineToHost =
  | { type: 'hello'; env: PageEnvironment }
  /** The backend passed every gate: from here on the job runs. */
  | { type: 'backend'; info: BackendInfoDto; gates: GateReport }
  | { type: 'refused'; reason: string; gates: GateReport }
  | { type: 'need'; id: number; view: string; epoch: number; step: number; batchSize: number }
  /** A SearchEvent / RetrainEvent, checkpoint bytes included. */
  | { type: 'event'; event: { type: string } & Record<string, unknown> }
  | { type: 'progress'; done: number; total: number }
  | { type: 'result'; result: unknown }
  | { type: 'failed'; error: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string };
