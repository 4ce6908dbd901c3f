// `nasw doctor`'s GPU job host section: the Chromium found, the engine bundle, and each GPU backend's gates and self-test.
import fs from 'node:fs';
import type { GateReport } from '../../gpu/protocol';
import { ensureGpuBundle, gpuBundleDir, gpuBundleStale } from './bundle';
import { GpuBackendRefused, GpuEngine } from './gpu-engine';
import { chromiumArgs, findChromium, launchHeadlessChromium, type PageLauncher } from './launchers';

export interface GpuHostBackendReport {
  backend: 'webgl' | 'webgpu';
  /** Passed every gate (self-test included when run): a job on it would run. */
  usable: boolean;
  gates: GateReport | null;
  refused: string | null;
  error: string | null;
}

export interface GpuHostDoctorReport {
  chromium: { path: string | null; label: string | null; profile: 'software' | 'gpu'; switches: string[] };
  bundle: { dir: string; stale: boolean; error: string | null };
  backends: GpuHostBackendReport[];
  /** What `auto` does with this: webgl on a real GPU that passes the gates, else the in-process backends. */
  auto: string;
}

export interface GpuHostDoctorOptions {
  /** Run the one-step gradient self-test against cpu on each GPU backend (about half a minute each on a software GPU). */
  selfTest?: boolean;
  log?: (line: string) => void;
}

export async function runGpuHostDoctor(o: GpuHostDoctorOptions = {}): Promise<GpuHostDoctorReport> {
  const profile = process.env.NASW_CHROMIUM_PROFILE === 'gpu' ? 'gpu' : 'software';
  const path = findChromium();
  const report: GpuHostDoctorReport = {
    chromium: { path, label: null, profile, switches: chromiumArgs({ profile }) },
    bundle: { dir: gpuBundleDir(), stale: gpuBundleStale(), error: null },
    backends: [],
    auto: '',
  };
  if (!path || !fs.existsSync(path)) {
    report.auto = 'no Chromium found: `auto` uses the in-process backends (install chromium or set NASW_CHROMIUM for webgl/webgpu)';
    return report;
  }
  try {
    await ensureGpuBundle({ log: o.log });
    report.bundle.stale = false;
  } catch (e) {
    report.bundle.error = (e as Error).message;
    report.auto = 'the engine bundle could not be built: webgl/webgpu are unavailable';
    return report;
  }
  for (const backend of ['webgl', 'webgpu'] as const) {
    let launcher: PageLauncher | null = null;
    let engine: GpuEngine | null = null;
    const entry: GpuHostBackendReport = { backend, usable: false, gates: null, refused: null, error: null };
    try {
      launcher = await launchHeadlessChromium({ profile });
      report.chromium.label = launcher.label;
      engine = await GpuEngine.open({ backend, launcher, selfTest: o.selfTest === false ? 'never' : 'always', log: o.log });
      launcher = null; // the engine owns it now
      entry.gates = await engine.probe();
      entry.usable = true;
    } catch (e) {
      if (e instanceof GpuBackendRefused) {
        entry.gates = e.gates;
        entry.refused = e.message;
      } else entry.error = (e as Error).message;
    } finally {
      await engine?.close();
      await launcher?.close();
    }
    report.backends.push(entry);
  }
  const webgl = report.backends.find((b) => b.backend === 'webgl');
  report.auto =
    webgl?.usable && webgl.gates?.kind === 'gpu'
      ? `auto runs searches on webgl (${webgl.gates.device})`
      : `auto does not use Chromium here (${webgl?.gates?.kind === 'software' ? 'only a software renderer' : webgl?.refused ?? webgl?.error ?? 'webgl unavailable'}); it keeps the in-process backends`;
  return report;
}

const yesNo = (v: boolean | undefined) => (v === undefined ? 'not probed' : v ? 'yes' : 'no');

export function formatGpuHostDoctor(r: GpuHostDoctorReport): string {
  const lines = ['GPU job host (Chromium)'];
  lines.push(`  chromium: ${r.chromium.path ?? 'not found'}${r.chromium.label ? ` (${r.chromium.label})` : ''}`);
  lines.push(`  switches (${r.chromium.profile} profile): ${r.chromium.switches.join(' ')}`);
  lines.push(`  engine bundle: ${r.bundle.dir}${r.bundle.error ? ` — ${r.bundle.error}` : r.bundle.stale ? ' (will be built on first use)' : ''}`);
  for (const b of r.backends) {
    const g = b.gates;
    if (!g) {
      lines.push(`  ${b.backend}: unavailable — ${b.error ?? b.refused ?? 'unknown'}`);
      continue;
    }
    lines.push(`  ${b.backend}: ${g.kind === 'gpu' ? 'GPU' : g.kind === 'software' ? 'software rendering (not a GPU)' : g.kind} — ${g.device}${g.softwareReason ? ` — ${g.softwareReason}` : ''}`);
    if (g.webgl) lines.push(`    WebGL ${g.webgl.version}, float32 render targets: ${yesNo(g.webgl.float32RenderTargets)}${g.webgl.forcedHalfFloat ? ' (half floats forced)' : ''}`);
    if (g.webgpu) lines.push(`    fallback adapter: ${yesNo(g.webgpu.fallbackAdapter)}`);
    if (g.selfTest) {
      const s = g.selfTest;
      lines.push(`    self-test vs cpu: ${s.passed ? 'passed' : 'FAILED'} — max relative gradient difference ${s.maxRelative.toExponential(2)} (tolerance ${s.tolerance.toExponential(0)}, ${s.tensors} tensors, ${s.seconds.toFixed(1)} s)`);
    }
    lines.push(`    usable for training: ${b.usable ? 'yes' : `no — ${b.refused ?? b.error}`}`);
  }
  lines.push(`  auto: ${r.auto}`);
  return lines.join('\n');
}
