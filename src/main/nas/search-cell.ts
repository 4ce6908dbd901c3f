// A search cell: N intermediate nodes, each the sum of mixed edges over all earlier states.
import * as tf from '@tensorflow/tfjs';
import { nodeEdgeOffset, type Primitive } from '../../shared/search-space';
import type { ForwardContext, Layer } from './module';
import { BatchNorm, FactorizedReduce, OPS, ReLUConvBN, Sequence, isPooling } from './operations';
import type { Params } from './params';
import { fusedCellFits, fusedCellForward, fusedCellSpec, type FusedCellSpec } from './search-cell-fused';

/** Observes a cell's internals during a forward pass (node norms, decorrelation statistics). */
export interface CellProbe {
  /** Preprocessed inputs c_{k-2}, c_{k-1}. */
  inputs?(cell: number, s0: tf.Tensor4D, s1: tf.Tensor4D): void;
  /** One candidate op's output on an edge (asked for only when `wantsOps` is true). */
  op?(cell: number, node: number, input: number, op: Primitive, out: tf.Tensor4D): void;
  /** A node's sum of mixed edges, before node normalization. */
  node?(cell: number, node: number, sum: tf.Tensor4D): void;
  wantsOps?: boolean;
}

interface MixedEdge {
  /** Layers of the ops other than `none`, with their α column. */
  ops: { column: number; op: Primitive; layer: Layer }[];
}

/** softmax(α) of the cell's type: the [edges, ops] matrix, and the same as scalar tensors (made on demand). */
export interface CellWeights {
  matrix: tf.Tensor2D;
  scalars(): tf.Scalar[][];
}

export class SearchCell {
  private readonly pre0: Layer;
  private readonly pre1: Layer;
  private readonly edges: MixedEdge[] = [];
  private readonly nodeNorms: BatchNorm[] = [];
  /** The same cell for the wasm kernels (null if a layer is not covered there). */
  private readonly fused: FusedCellSpec | null;

  constructor(
    p: Params,
    readonly index: number,
    readonly nodes: number,
    ops: readonly Primitive[],
    cPrevPrev: number,
    cPrev: number,
    readonly C: number,
    readonly reduction: boolean,
    reductionPrev: boolean,
    readonly nodeNormalization: boolean,
  ) {
    const name = `cells.${index}`;
    this.pre0 = reductionPrev ? new FactorizedReduce(p, `${name}.preprocess0`, cPrevPrev, C, false) : new ReLUConvBN(p, `${name}.preprocess0`, cPrevPrev, C, false);
    this.pre1 = new ReLUConvBN(p, `${name}.preprocess1`, cPrev, C, false);
    for (let n = 0; n < nodes; n++) {
      for (let input = 0; input < n + 2; input++) {
        const stride: 1 | 2 = reduction && input < 2 ? 2 : 1;
        const e = nodeEdgeOffset(n) + input;
        const edge: MixedEdge = { ops: [] };
        ops.forEach((op, column) => {
          if (op === 'none') return; // Σ w·0 = 0: skipping it is exact and saves a kernel per edge
          const opName = `${name}.edges.${e}.${op}`;
          let layer = OPS[op](p, opName, C, stride, false);
          // The search network follows every pooling op with a non-affine BN (reference MixedOp).
          if (isPooling(op)) layer = new Sequence([layer, new BatchNorm(p, `${opName}.bn`, C, false)]);
          edge.ops.push({ column, op, layer });
        });
        this.edges.push(edge);
      }
      if (nodeNormalization) this.nodeNorms.push(new BatchNorm(p, `${name}.node_norm.${n}`, C, false));
    }
    this.fused = fusedCellSpec({ index, nodes, C, cPrevPrev, cPrev, columns: ops.length, pre0: this.pre0, pre1: this.pre1, edges: this.edges, nodeNorms: this.nodeNorms });
  }

  /** Whether forward runs the fused wasm path now (wasm backend, channel counts it covers). */
  get usesFusedKernels(): boolean {
    return this.fused !== null && fusedCellFits(this.fused);
  }

  /** Output channels: the N nodes concatenated. */
  get outChannels(): number {
    return this.nodes * this.C;
  }

  /**
   * `weights`: softmax(α) of this cell's type. On wasm the fused path (one custom gradient per cell on
   * SIMD kernels); elsewhere, or with `reference`, layer by layer with tfjs differentiating each op.
   */
  forward(s0in: tf.Tensor4D, s1in: tf.Tensor4D, weights: CellWeights, ctx: ForwardContext, probe?: CellProbe, reference = false): tf.Tensor4D {
    if (!reference && this.fused && fusedCellFits(this.fused) && (ctx.dropPathProb ?? 0) === 0) {
      return fusedCellForward(this.fused, s0in, s1in, weights.matrix, ctx, probe);
    }
    return this.forwardLayers(s0in, s1in, weights.scalars(), ctx, probe);
  }

  /** `weights`: one scalar tensor per (edge, α column), from the softmax of this cell type's α. */
  private forwardLayers(s0in: tf.Tensor4D, s1in: tf.Tensor4D, weights: tf.Scalar[][], ctx: ForwardContext, probe?: CellProbe): tf.Tensor4D {
    const s0 = this.pre0.forward(s0in, ctx);
    const s1 = this.pre1.forward(s1in, ctx);
    probe?.inputs?.(this.index, s0, s1);
    const states: tf.Tensor4D[] = [s0, s1];
    for (let n = 0; n < this.nodes; n++) {
      const terms: tf.Tensor4D[] = [];
      for (let input = 0; input < n + 2; input++) {
        const e = nodeEdgeOffset(n) + input;
        for (const { column, op, layer } of this.edges[e]!.ops) {
          const out = layer.forward(states[input]!, ctx);
          if (probe?.wantsOps) probe.op?.(this.index, n, input, op, out);
          terms.push(tf.mul(weights[e]![column]!, out));
        }
      }
      const sum = terms.length === 1 ? terms[0]! : (tf.addN(terms) as tf.Tensor4D);
      probe?.node?.(this.index, n, sum);
      // iDARTS pre-normalization: later nodes (and the cell output) see the node at unit scale.
      states.push(this.nodeNormalization ? this.nodeNorms[n]!.forward(sum, ctx) : sum);
    }
    return tf.concat(states.slice(2), 3);
  }
}
