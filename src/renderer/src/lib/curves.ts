// Series for the Run view's curves, read from the epochs: losses, accuracies, zero-ratios, node-output norms.
import { isSearchEpochMetrics, type EpochDto } from '../../../shared/api/dto';

export type Point = [number, number | null];

export interface Series {
  name: string;
  points: Point[];
  /** Colour group (node index), and dashed for the reduction cell's series. */
  group?: number;
  dashed?: boolean;
}

export interface CurveSet {
  id: 'loss' | 'accuracy' | 'zero-ratio' | 'node-norms' | 'error';
  title: string;
  yName: string;
  series: Series[];
}

/** x is the epoch number counted from 1 (an epoch's figures are known once it is done). */
const x = (e: EpochDto) => e.epoch + 1;

export function runCurves(epochs: readonly EpochDto[]): CurveSet[] {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const line = (name: string, pick: (e: EpochDto) => number | null | undefined): Series => ({ name, points: sorted.map((e) => [x(e), pick(e) ?? null]) });
  const norms: Series[] = [];
  for (const cell of ['normal', 'reduce'] as const) {
    const width = Math.max(0, ...sorted.map((e) => (isSearchEpochMetrics(e.metrics) ? (e.metrics.nodeNorms[cell]?.length ?? 0) : 0)));
    for (let i = 0; i < width; i++) {
      const s = line(`${cell === 'normal' ? 'N' : 'R'} node ${i}`, (e) => (isSearchEpochMetrics(e.metrics) ? (e.metrics.nodeNorms[cell]?.[i] ?? null) : null));
      norms.push({ ...s, group: i, dashed: cell === 'reduce' });
    }
  }
  return [
    { id: 'loss', title: 'Loss (cross-entropy)', yName: 'cross-entropy', series: [line('train', (e) => e.trainLoss), line('val', (e) => e.valLoss)] },
    {
      id: 'accuracy',
      title: 'Accuracy (top-1)',
      yName: 'top-1',
      series: [line('train', (e) => e.trainAcc), line('val', (e) => e.valAcc)],
    },
    {
      id: 'zero-ratio',
      title: 'Zero-ratio (mean softmax of none)',
      yName: 'weight',
      series: [line('normal', (e) => e.zeroRatio.normal), line('reduce', (e) => e.zeroRatio.reduce)],
    },
    { id: 'node-norms', title: 'Node-output norms ‖y‖ / ‖c_{k-2}‖ (N normal, R reduction, dashed)', yName: 'ratio', series: norms },
  ];
}

/** α softmax of one epoch and cell type, or null if that epoch recorded none. */
export function alphaAt(epochs: readonly EpochDto[], epoch: number, cell: 'normal' | 'reduce'): (number | null)[][] | null {
  const e = epochs.find((r) => r.epoch === epoch);
  if (!e || !isSearchEpochMetrics(e.metrics)) return null;
  const m = e.metrics.alphaSoftmax[cell];
  return m.length ? m : null;
}
