// Accumulates, per cell, the Gram matrix of node outputs and candidate op outputs over a data stream.
import * as tf from '@tensorflow/tfjs';
import type { Primitive } from '../../../shared/search-space';
import type { CellProbe } from '../search-cell';
import { decorrelationVectorCount, decorrelationVectorIndex } from './decorrelation';

/**
 * Vectors are ordered as the decorrelation input expects (decorrelationVectorIndex). A CellProbe that, once
 * a cell's last node is summed, stacks all V vectors of that cell as rows and computes A·Aᵀ (float32 on the
 * device); `flush()` after each forward reads those V×V products back (asynchronously) and accumulates them
 * in float64 here. Memory stays at one cell's outputs plus one V×V matrix per cell.
 */
export class GramProbe implements CellProbe {
  readonly wantsOps = true;
  readonly grams = new Map<number, Float64Array>();
  private readonly current = new Map<number, tf.Tensor4D>();
  /** A·Aᵀ per cell of the forward just run, not yet read back. */
  private readonly pending = new Map<number, tf.Tensor>();
  private readonly size: number;

  constructor(
    private readonly nodes: number,
    private readonly ops: readonly Primitive[],
  ) {
    this.size = decorrelationVectorCount(nodes, ops);
  }

  op(_cell: number, node: number, input: number, op: Primitive, out: tf.Tensor4D): void {
    this.current.set(decorrelationVectorIndex(this.nodes, this.ops, { node, input, op }), out);
  }

  node(cell: number, node: number, sum: tf.Tensor4D): void {
    this.current.set(decorrelationVectorIndex(this.nodes, this.ops, { node }), sum);
    if (node !== this.nodes - 1) return;
    if (this.current.size !== this.size) throw new Error(`cell ${cell}: probe saw ${this.current.size} of ${this.size} vectors`);
    if (this.pending.has(cell)) throw new Error(`cell ${cell}: the previous forward's Gram matrix was not flushed`);
    const g = tf.tidy(() => {
      const rows = [];
      for (let i = 0; i < this.size; i++) rows.push(tf.reshape(this.current.get(i)!, [1, -1]));
      const a = tf.concat(rows, 0);
      // A·(Aᵀ) with an explicit transpose: tfjs-wasm's transposeB path is ~3× slower than a plain matMul
      // on these wide rows (bench/NOTES.md, 3.6 s → 1.1 s per 32 mnist images in cell 0).
      return tf.matMul(a, tf.transpose(a));
    });
    this.pending.set(cell, tf.keep(g));
    this.current.clear();
  }

  /** Read the Gram matrices of the last forward back and add them to the float64 totals. */
  async flush(): Promise<void> {
    const cells = [...this.pending];
    this.pending.clear();
    try {
      const values = await Promise.all(cells.map(([, g]) => g.data()));
      cells.forEach(([cell], i) => {
        const g = values[i]!;
        const acc = this.grams.get(cell) ?? new Float64Array(this.size * this.size);
        for (let j = 0; j < acc.length; j++) acc[j]! += g[j]!;
        this.grams.set(cell, acc);
      });
    } finally {
      tf.dispose(cells.map(([, g]) => g));
    }
  }
}
