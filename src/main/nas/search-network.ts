// The DARTS supernet: stem, L search cells (reductions at L/3 and 2L/3), global pooling, classifier.
import * as tf from '@tensorflow/tfjs';
import { reductionIndices, type SearchSpace } from '../../shared/search-space';
import type { Rng } from '../../shared/random';
import type { EdgeWeights } from './architecture';
import type { ForwardContext } from './module';
import { globalAvgPool } from './ops/avg-pool';
import { Params } from './params';
import { SearchCell, type CellProbe, type CellWeights } from './search-cell';
import { CifarStem, ImageNetStem, Linear } from './stem';

export interface SearchNetworkOptions {
  space: SearchSpace;
  numClasses: number;
  /** [height, width, channels] of the input images. */
  inputShape: readonly [number, number, number];
  nodeNormalization: boolean;
  stem: 'cifar' | 'imagenet';
  stemMultiplier: number;
}

export class SearchNetwork {
  readonly params: Params;
  readonly cells: SearchCell[] = [];
  private readonly stem: CifarStem | ImageNetStem;
  private readonly classifier: Linear;

  constructor(
    readonly options: SearchNetworkOptions,
    rng: Rng,
  ) {
    const { space, numClasses, inputShape } = options;
    this.params = new Params(rng);
    const p = this.params;
    const C = space.channels;
    // The stem BN is affine, as in the reference (its 96 parameters are in the published 1.930618 M).
    this.stem = options.stem === 'cifar' ? new CifarStem(p, inputShape[2], C, options.stemMultiplier, true) : new ImageNetStem(p, inputShape[2], C, true);
    let cPrevPrev = this.stem.out;
    let cPrev = this.stem.out;
    let cCurr = C;
    let reductionPrev = options.stem === 'imagenet';
    const reductions = reductionIndices(space.cells);
    for (let i = 0; i < space.cells; i++) {
      const reduction = reductions.includes(i);
      if (reduction) cCurr *= 2;
      const cell = new SearchCell(p, i, space.nodes, space.ops, cPrevPrev, cPrev, cCurr, reduction, reductionPrev, options.nodeNormalization);
      this.cells.push(cell);
      reductionPrev = reduction;
      cPrevPrev = cPrev;
      cPrev = cell.outChannels;
    }
    this.classifier = new Linear(p, 'classifier', cPrev, numClasses);
  }

  /**
   * Logits [N, classes]. `weights` are softmax(α) per cell type. `reference`: every cell layer by layer
   * (tfjs differentiating each op), never the fused wasm kernels — the figure the fused path must match.
   */
  forward(x: tf.Tensor4D, weights: EdgeWeights, ctx: ForwardContext, probe?: CellProbe, reference = false): tf.Tensor2D {
    const cellWeights = (matrix: tf.Tensor2D): CellWeights => {
      let scalars: tf.Scalar[][] | undefined;
      return { matrix, scalars: () => (scalars ??= splitScalars(matrix)) };
    };
    const w = { normal: cellWeights(weights.normal), reduce: cellWeights(weights.reduce) };
    let [s0, s1] = this.stem.forward(x, ctx);
    for (const cell of this.cells) {
      const next = cell.forward(s0, s1, cell.reduction ? w.reduce : w.normal, ctx, probe, reference);
      s0 = s1;
      s1 = next;
    }
    return this.classifier.forward(globalAvgPool(s1));
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** [E, ops] → E rows of scalar tensors, so each mixed edge scales its op outputs without slicing again. */
function splitScalars(w: tf.Tensor2D): tf.Scalar[][] {
  return tf.unstack(w).map((row) => tf.unstack(row) as tf.Scalar[]);
}
