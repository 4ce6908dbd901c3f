// Per-epoch architecture figures: zero-ratio, α softmax, node-output norms relative to c_{k-2}.
import * as tf from '@tensorflow/tfjs';
import type { Primitive } from '../../shared/search-space';
import type { PerCellType } from '../../shared/metrics';
import { readScalars } from './readback';
import type { CellProbe } from './search-cell';

/** Mean softmax weight of `none` over the edges (iDARTS Fig. 7), or null if the space has no `none`. */
export function zeroRatio(softmax: number[][], ops: readonly Primitive[]): number | null {
  const col = ops.indexOf('none');
  if (col < 0 || softmax.length === 0) return null;
  return softmax.reduce((s, row) => s + row[col]!, 0) / softmax.length;
}

/**
 * A probe that records ‖node sum‖ / ‖c_{k-2}‖ per node (Fig. 3b; c_{k-2} after preprocessing, the
 * state the nodes actually read), to be averaged over the cells of each type.
 */
export class NodeNormProbe implements CellProbe {
  private readonly s0Norm = new Map<number, tf.Scalar>();
  private readonly ratios = new Map<number, tf.Scalar[]>();

  constructor(private readonly reductionCells: Set<number>) {}

  inputs(cell: number, s0: tf.Tensor4D): void {
    this.s0Norm.set(cell, tf.keep(tf.norm(s0) as tf.Scalar));
  }

  node(cell: number, node: number, sum: tf.Tensor4D): void {
    const r = tf.keep(tf.div(tf.norm(sum), this.s0Norm.get(cell)!) as tf.Scalar);
    const list = this.ratios.get(cell) ?? [];
    list[node] = r;
    this.ratios.set(cell, list);
  }

  /** Averages per cell type (one device read for all ratios), then frees the recorded scalars. */
  async collect(): Promise<PerCellType<number[] | null>> {
    const cells = [...this.ratios];
    for (const t of this.s0Norm.values()) t.dispose();
    this.s0Norm.clear();
    this.ratios.clear();
    const values = await readScalars(cells.flatMap(([, list]) => list));
    const acc: PerCellType<number[][]> = { normal: [], reduce: [] };
    let i = 0;
    for (const [cell, list] of cells) {
      acc[this.reductionCells.has(cell) ? 'reduce' : 'normal'].push(values.slice(i, i + list.length));
      i += list.length;
    }
    const mean = (rows: number[][]): number[] | null =>
      rows.length === 0 ? null : rows[0]!.map((_, i) => rows.reduce((s, r) => s + r[i]!, 0) / rows.length);
    return { normal: mean(acc.normal), reduce: mean(acc.reduce) };
  }
}
