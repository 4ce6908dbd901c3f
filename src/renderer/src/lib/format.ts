// Formatting for tables and status lines: percentages, durations, dates, backend labels.
import type { ComputeDto, RunSummaryDto } from '../../../shared/api/dto';

export function percent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(digits)} %`;
}

export function fixed(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** 75 → "1 min 15 s", 3700 → "1 h 1 min". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** ISO → "2026-11-29 13:05" in local time. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** DARTS or iDARTS (node normalization), as the runs list shows the method. */
export function methodLabel(run: Pick<RunSummaryDto, 'kind' | 'nodeNormalization'>): string {
  if (run.kind !== 'search') return run.kind;
  return run.nodeNormalization ? 'iDARTS (node norm)' : 'DARTS';
}

/** "normal / reduce" zero-ratios. */
export function zeroRatioLabel(z: { normal: number | null; reduce: number | null }): string {
  if (z.normal === null && z.reduce === null) return '–';
  return `${fixed(z.normal, 3)} / ${fixed(z.reduce, 3)}`;
}

/** What the status bar says about the device: software rasterisers are never called a GPU. */
export function computeLabel(c: Pick<ComputeDto, 'backend' | 'device' | 'kind'>): { backend: string; device: string; kind: string } {
  const kind = c.kind === 'gpu' ? 'GPU' : c.kind === 'software' ? 'software rendering (no GPU)' : 'CPU';
  return { backend: c.backend, device: c.device, kind };
}

export function runDuration(run: Pick<RunSummaryDto, 'elapsedSeconds' | 'trainSeconds'>): string {
  return duration(run.elapsedSeconds ?? (run.trainSeconds > 0 ? run.trainSeconds : null));
}
