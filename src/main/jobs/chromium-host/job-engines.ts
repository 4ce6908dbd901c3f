// Which jobs run in the Chromium job host, and `auto`'s preference for a real GPU (probed once, kept in the home).
import fs from 'node:fs';
import path from 'node:path';
import type { BackendChoice } from '../../../shared/search-config';
import type { BackendInfo } from '../../nas/backend';
import type { GateReport } from '../../gpu/protocol';
import type { SearchEngine } from '../search-runner';
import { GpuBackendRefused, GpuEngine } from './gpu-engine';
import { findChromium } from './launchers';

export type ChromiumGpuBackend = 'webgl' | 'webgpu';

export const runsInChromium = (choice: string): choice is ChromiumGpuBackend => choice === 'webgl' || choice === 'webgpu';

/** What `auto` learnt about this machine's Chromium: kept in <home>/gpu-probe.json until Chromium or the engine changes. */
export interface GpuProbe {
  chromium: string | null;
  chromiumModified: number | null;
  at: string;
  webgl: { kind: GateReport['kind']; device: string; refused?: string } | null;
  error?: string;
}

function chromiumIdentity(): { chromium: string | null; chromiumModified: number | null } {
  const chromium = findChromium();
  if (!chromium || !fs.existsSync(chromium)) return { chromium: null, chromiumModified: null };
  return { chromium, chromiumModified: fs.statSync(chromium).mtimeMs };
}

/**
 * Probe WebGL in the Chromium job host (gates only, no self-test). Cached per home; a new Chromium
 * binary means a new probe. Never throws: a machine without Chromium simply has no Chromium GPU.
 */
export async function probeChromiumGpu(home: string, log: (line: string) => void = () => {}, refresh = false): Promise<GpuProbe> {
  const file = path.join(home, 'gpu-probe.json');
  const id = chromiumIdentity();
  if (!refresh) {
    try {
      const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as GpuProbe;
      if (cached.chromium === id.chromium && cached.chromiumModified === id.chromiumModified) return cached;
    } catch {
      // no probe yet
    }
  }
  const probe: GpuProbe = { ...id, at: new Date().toISOString(), webgl: null };
  if (id.chromium) {
    let engine: GpuEngine | null = null;
    try {
      engine = await GpuEngine.open({ backend: 'webgl', home, selfTest: 'never', log });
      const g = await engine.probe();
      probe.webgl = { kind: g.kind, device: g.device };
    } catch (e) {
      if (e instanceof GpuBackendRefused) probe.webgl = { kind: e.gates.kind, device: e.gates.device, refused: e.message };
      else probe.error = (e as Error).message;
    } finally {
      await engine?.close();
    }
  }
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(probe, null, 2) + '\n');
  return probe;
}

/**
 * The Chromium backend a job should run on: webgl/webgpu when chosen; for `auto`, webgl when the probe
 * found a real GPU that passes the gates (WebGPU stays opt-in); else null (the job runs in this process).
 */
export async function chromiumBackendFor(choice: BackendChoice, home: string, log: (line: string) => void): Promise<ChromiumGpuBackend | null> {
  if (runsInChromium(choice)) return choice;
  if (choice !== 'auto') return null;
  if (!findChromium()) return null;
  const probe = await probeChromiumGpu(home, log);
  return probe.webgl?.kind === 'gpu' && !probe.webgl.refused ? 'webgl' : null;
}

/** The Chromium job host for this choice, or null when the job runs in this process. */
export async function openJobGpuEngine(choice: BackendChoice, home: string, log: (line: string) => void): Promise<GpuEngine | null> {
  const backend = await chromiumBackendFor(choice, home, log);
  return backend ? GpuEngine.open({ backend, home, log }) : null;
}

/** runSearchInFolder's engine, in Chromium. */
export function searchEngineOn(gpu: GpuEngine): SearchEngine {
  return {
    run: (job) => gpu.search(job),
    backend: () => {
      if (!gpu.info) throw new Error('the GPU job host has not reported its backend yet');
      return gpu.info as BackendInfo;
    },
  };
}
