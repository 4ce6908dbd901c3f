// A final (evaluation) cell: the genotype's kept edges, K = 2 per node, affine BN, drop-path in training.
import * as tf from '@tensorflow/tfjs';
import type { Genotype, GenotypeEdge } from '../../shared/genotype';
import type { Primitive } from '../../shared/search-space';
import type { ForwardContext, Layer } from './module';
import { FactorizedReduce, Identity, OPS, ReLUConvBN } from './operations';
import type { Params } from './params';

/** Inputs kept per intermediate node (DARTS' K). */
export const K = 2;

/** One kept edge of a cell, built: its op applied to state `input` (0, 1 = c_{k-2}, c_{k-1}; 2+i = node i). */
interface CellEdge {
  op: Primitive;
  input: number;
  stride: 1 | 2;
  layer: Layer;
}

/** The genotype's edges and concat for one cell type. */
export function cellGenotype(g: Genotype, reduction: boolean): { edges: GenotypeEdge[]; concat: number[] } {
  return reduction ? { edges: g.reduce, concat: g.reduceConcat } : { edges: g.normal, concat: g.normalConcat };
}

/**
 * The reference's drop_path: per sample, keep with probability 1−p and divide by 1−p (Bernoulli mask
 * [N,1,1,1]); `random` draws the N uniforms, so a seeded caller replays a step exactly.
 */
export function dropPath(x: tf.Tensor4D, p: number, random: () => number): tf.Tensor4D {
  if (p <= 0) return x;
  if (p >= 1) throw new Error(`drop-path probability must be below 1, got ${p}`);
  const keep = 1 - p;
  const n = x.shape[0];
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = random() < keep ? 1 / keep : 0;
  return tf.mul(x, tf.tensor4d(mask, [n, 1, 1, 1]));
}

export class EvalCell {
  private readonly pre0: Layer;
  private readonly pre1: Layer;
  readonly edges: CellEdge[] = [];
  readonly concat: readonly number[];
  readonly nodes: number;

  constructor(
    p: Params,
    readonly index: number,
    genotype: Genotype,
    readonly cPrevPrev: number,
    readonly cPrev: number,
    readonly C: number,
    readonly reduction: boolean,
    readonly reductionPrev: boolean,
  ) {
    const name = `cells.${index}`;
    const { edges, concat } = cellGenotype(genotype, reduction);
    if (edges.length === 0 || edges.length % K !== 0) throw new Error(`cell ${index}: ${edges.length} edges is not a positive multiple of K=${K}`);
    this.nodes = edges.length / K;
    this.concat = [...concat];
    // c_{k-2} at twice the resolution after a reduction: FactorizedReduce brings it to c_{k-1}'s.
    this.pre0 = reductionPrev ? new FactorizedReduce(p, `${name}.preprocess0`, cPrevPrev, C, true) : new ReLUConvBN(p, `${name}.preprocess0`, cPrevPrev, C, true);
    this.pre1 = new ReLUConvBN(p, `${name}.preprocess1`, cPrev, C, true);
    edges.forEach(({ op, input }, j) => {
      if (input > Math.floor(j / K) + 1) throw new Error(`cell ${index}: edge ${j} reads state ${input}, which does not exist yet`);
      // Only the edges from the cell inputs are strided in a reduction cell.
      const stride: 1 | 2 = reduction && input < 2 ? 2 : 1;
      // Affine BN; pooling ops get no BN (the search cell adds one, the final cell does not).
      this.edges.push({ op, input, stride, layer: OPS[op](p, `${name}.ops.${j}`, C, stride, true) });
    });
  }

  /** Output channels: the concatenated states × C. */
  get outChannels(): number {
    return this.concat.length * this.C;
  }

  /**
   * s = Σ_{kept edges of node i} drop(op(state)): drop-path (ctx.dropPathProb, training only) on every
   * op except the identity (stride-1 skip_connect), as the reference's `isinstance(op, Identity)` test.
   */
  forward(s0in: tf.Tensor4D, s1in: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const states: tf.Tensor4D[] = [this.pre0.forward(s0in, ctx), this.pre1.forward(s1in, ctx)];
    const p = ctx.training ? (ctx.dropPathProb ?? 0) : 0;
    if (p > 0 && !ctx.random) throw new Error('drop-path in training needs ctx.random (a seeded uniform source)');
    for (let n = 0; n < this.nodes; n++) {
      const terms: tf.Tensor4D[] = [];
      for (let k = 0; k < K; k++) {
        const e = this.edges[n * K + k]!;
        let h = e.layer.forward(states[e.input]!, ctx);
        if (p > 0 && !(e.layer instanceof Identity)) h = dropPath(h, p, ctx.random!);
        terms.push(h);
      }
      states.push(terms.length === 1 ? terms[0]! : (tf.addN(terms) as tf.Tensor4D));
    }
    const out = this.concat.map((i) => states[i]!);
    return out.length === 1 ? out[0]! : tf.concat(out, 3);
  }
}
