// A retrain's curves from its epochs: loss (train objective, test cross-entropy), accuracy (train, test = 1 − top-1
// error), test top-1 / top-5 error; and the final evaluation's per-class accuracy.
import type { EpochDto } from '../../../shared/api/dto';
import type { CurveSet, Point, Series } from './curves';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function field(e: EpochDto, name: string): number | null {
  const scalar = (e as unknown as Record<string, unknown>)[name];
  return num(scalar) ?? num((e.metrics as Record<string, unknown>)[name]);
}

export function retrainCurves(epochs: readonly EpochDto[]): CurveSet[] {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const line = (name: string, pick: (e: EpochDto) => number | null, dashed = false): Series => ({ name, points: sorted.map((e): Point => [e.epoch + 1, pick(e)]), dashed });
  const top1 = (e: EpochDto) => field(e, 'testTop1Error');
  return [
    { id: 'loss', title: 'Loss (train objective, test cross-entropy)', yName: 'loss', series: [line('train', (e) => field(e, 'trainLoss')), line('test', (e) => field(e, 'testLoss'))] },
    {
      id: 'accuracy',
      title: 'Accuracy (top-1)',
      yName: 'top-1',
      series: [line('train', (e) => field(e, 'trainAcc')), line('test', (e) => field(e, 'testAcc') ?? (top1(e) === null ? null : 1 - top1(e)!))],
    },
    { id: 'error', title: 'Test error (top-1, top-5)', yName: 'error', series: [line('top-1', top1), line('top-5', (e) => field(e, 'testTop5Error'), true)] },
  ];
}
