// The architecture parameters α (one matrix per cell type) and their softmax, owned apart from the weights.
import * as tf from '@tensorflow/tfjs';
import { edgeCount, type SearchSpace } from '../../shared/search-space';
import type { Rng } from '../../shared/random';

export interface EdgeWeights {
  normal: tf.Tensor2D;
  reduce: tf.Tensor2D;
}

/** α_normal and α_reduce, [edges × ops], initialised 1e-3·N(0,1) as the reference does. */
export class Architecture {
  readonly alphaNormal: tf.Variable;
  readonly alphaReduce: tf.Variable;

  constructor(
    readonly space: SearchSpace,
    rng: Rng,
  ) {
    const shape = [edgeCount(space.nodes), space.ops.length];
    const init = () => {
      const v = new Float32Array(shape[0]! * shape[1]!);
      for (let i = 0; i < v.length; i++) v[i] = 1e-3 * rng.normal();
      return tf.tensor(v, shape);
    };
    this.alphaNormal = tf.variable(init(), true, `alpha_normal#${SEQ.next()}`);
    this.alphaReduce = tf.variable(init(), true, `alpha_reduce#${SEQ.next()}`);
  }

  get variables(): tf.Variable[] {
    return [this.alphaNormal, this.alphaReduce];
  }

  /** softmax over each edge's ops. */
  weights(): EdgeWeights {
    return { normal: tf.softmax(this.alphaNormal as tf.Tensor2D), reduce: tf.softmax(this.alphaReduce as tf.Tensor2D) };
  }

  /** softmax(α) as plain arrays, for metrics and value-based discretization. */
  async softmaxArrays(): Promise<{ normal: number[][]; reduce: number[][] }> {
    const w = this.weights();
    try {
      const [normal, reduce] = await Promise.all([w.normal.array(), w.reduce.array()]);
      return { normal, reduce };
    } finally {
      tf.dispose([w.normal, w.reduce]);
    }
  }

  dispose(): void {
    this.alphaNormal.dispose();
    this.alphaReduce.dispose();
  }
}

const SEQ = (() => {
  let i = 0;
  return { next: () => i++ };
})();
