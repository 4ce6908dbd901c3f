// Metrics as files: the Compare table and per-epoch figures as CSV (RFC 4180 quoting) or JSON.
import type { CompareEntryDto, EpochDto } from '../../../shared/api/dto';
import { methodLabel } from './format';

export type Cell = string | number | boolean | null | undefined;

export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export const COMPARE_COLUMNS = [
  'run',
  'name',
  'kind',
  'status',
  'dataset',
  'space',
  'method',
  'accuracy_on',
  'best_accuracy',
  'final_accuracy',
  'parameters',
  'multiply_adds',
  'network',
  'supernet_parameters',
  'supernet_multiply_adds',
  'train_seconds',
  'elapsed_seconds',
  'backend',
  'device',
  'genotype',
] as const;

export function compareRows(entries: readonly CompareEntryDto[]): Cell[][] {
  return entries.map((e) => [
    e.run.id,
    e.run.name,
    e.run.kind,
    e.run.status,
    e.run.dataset,
    e.run.space,
    methodLabel(e.run),
    e.figures.accuracy,
    e.figures.best,
    e.figures.final,
    e.figures.network?.parameters,
    e.figures.network?.multiplyAdds,
    e.figures.networkNote,
    e.figures.supernet?.parameters,
    e.figures.supernet?.multiplyAdds,
    e.figures.trainSeconds,
    e.figures.elapsedSeconds,
    e.run.backend,
    e.run.device,
    e.genotype?.text,
  ]);
}

export function compareCsv(entries: readonly CompareEntryDto[]): string {
  return toCsv(COMPARE_COLUMNS, compareRows(entries));
}

/** The table as JSON objects (the columns above), with each run's epochs. */
export function compareJson(entries: readonly CompareEntryDto[]): string {
  const rows = compareRows(entries).map((r, i) => ({ ...Object.fromEntries(COMPARE_COLUMNS.map((c, j) => [c, r[j] ?? null])), epochs: entries[i]!.epochs }));
  return JSON.stringify(rows, null, 2);
}

export const EPOCH_COLUMNS = ['epoch', 'lr', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'test_loss', 'test_acc', 'zero_ratio_normal', 'zero_ratio_reduce', 'seconds'] as const;

/** Per-epoch scalars; a retrain's test accuracy is 1 − its top-1 error when no scalar holds it. */
export function epochRows(epochs: readonly EpochDto[]): Cell[][] {
  return [...epochs]
    .sort((a, b) => a.epoch - b.epoch)
    .map((e) => {
      const m = e.metrics as Record<string, unknown>;
      const top1 = typeof m.testTop1Error === 'number' ? m.testTop1Error : null;
      return [e.epoch + 1, e.lr, e.trainLoss, e.trainAcc, e.valLoss, e.valAcc, e.testLoss ?? (m.testLoss as number | undefined), e.testAcc ?? (top1 === null ? null : 1 - top1), e.zeroRatio.normal, e.zeroRatio.reduce, e.seconds];
    });
}

export function epochsCsv(epochs: readonly EpochDto[]): string {
  return toCsv(EPOCH_COLUMNS, epochRows(epochs));
}

/** Every recorded figure of every epoch (the whole metrics objects). */
export function epochsJson(epochs: readonly EpochDto[]): string {
  return JSON.stringify([...epochs].sort((a, b) => a.epoch - b.epoch), null, 2);
}
