// Overlaid curves of several runs on shared axes: loss, accuracy, zero-ratio. One colour per run; train dashed,
// validation (search) or test (retrain) solid; a search's reduction-cell zero-ratio dashed.
import type { CompareEntryDto, EpochScalarsDto } from '../../../shared/api/dto';
import type { CurveSet, Point, Series } from './curves';

/** How a run is named in legends and tables: `#12 my search`. */
export function runLabel(e: Pick<CompareEntryDto, 'run'>): string {
  return `#${e.run.id} ${e.run.name}`;
}

function line(e: CompareEntryDto, group: number, suffix: string, pick: (x: EpochScalarsDto) => number | null, dashed = false): Series {
  const points: Point[] = [...e.epochs].sort((a, b) => a.epoch - b.epoch).map((x) => [x.epoch + 1, pick(x)]);
  // Short names (`#12 val`): the metrics table above the charts names the runs.
  return { name: `#${e.run.id} ${suffix}`, points, group, dashed };
}

/** Series with no point at all are left out (a retrain has no zero-ratio). */
const some = (s: Series) => s.points.some((p) => p[1] !== null);

export function compareCurves(entries: readonly CompareEntryDto[]): CurveSet[] {
  const loss: Series[] = [];
  const acc: Series[] = [];
  const zero: Series[] = [];
  entries.forEach((e, g) => {
    const held = e.figures.accuracy;
    loss.push(line(e, g, 'train', (x) => x.trainLoss, true), line(e, g, held, (x) => (held === 'val' ? x.valLoss : x.testLoss)));
    acc.push(line(e, g, 'train', (x) => x.trainAcc, true), line(e, g, held, (x) => (held === 'val' ? x.valAcc : x.testAcc)));
    if (e.run.kind === 'search') zero.push(line(e, g, 'normal', (x) => x.zeroRatio.normal), line(e, g, 'reduce', (x) => x.zeroRatio.reduce, true));
  });
  return [
    { id: 'loss', title: 'Loss (cross-entropy) · train dashed, val/test solid', yName: 'cross-entropy', series: loss.filter(some) },
    { id: 'accuracy', title: 'Accuracy (top-1) · train dashed, val/test solid', yName: 'top-1', series: acc.filter(some) },
    { id: 'zero-ratio', title: 'Zero-ratio · normal solid, reduction dashed', yName: 'weight', series: zero.filter(some) },
  ];
}

/** Runs with at least one point in a set: what a test checks ("both curves present"). */
export function runsIn(set: CurveSet): number[] {
  const ids = new Set<number>();
  for (const s of set.series) {
    const m = /^#(\d+) /.exec(s.name);
    if (m && s.points.some((p) => p[1] !== null)) ids.add(Number(m[1]));
  }
  return [...ids];
}
