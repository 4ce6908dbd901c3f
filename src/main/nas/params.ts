// Named parameters and buffers of a network, created in a fixed order with PyTorch's default inits.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../shared/random';

/**
 * Owns every tf.Variable of a network. Names are paths (`cells.3.edges.5.sep_conv_3x3.dw1`), so
 * checkpoints map by name and counts can be split by prefix (e.g. the auxiliary head).
 */
export class Params {
  readonly trainable = new Map<string, tf.Variable>();
  readonly buffers = new Map<string, tf.Variable>();

  constructor(readonly rng: Rng) {}

  private add(map: Map<string, tf.Variable>, name: string, t: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.trainable.has(name) || this.buffers.has(name)) throw new Error(`duplicate parameter name ${name}`);
    const v = tf.variable(t, trainable, name + '#' + PARAM_SEQ.next());
    t.dispose();
    map.set(name, v);
    return v;
  }

  /** U(−bound, bound) weights: PyTorch's kaiming_uniform(a=√5) gives bound = 1/√fan_in for convs and linears. */
  uniform(name: string, shape: number[], bound: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = this.rng.uniform(-bound, bound);
    return this.add(this.trainable, name, tf.tensor(values, shape), true);
  }

  constant(name: string, shape: number[], value: number): tf.Variable {
    return this.add(this.trainable, name, tf.fill(shape, value), true);
  }

  /** Non-trainable state (BN running statistics). */
  buffer(name: string, shape: number[], value: number): tf.Variable {
    return this.add(this.buffers, name, tf.fill(shape, value), false);
  }

  /** Number of trainable scalars, optionally only those whose name passes `filter`. */
  count(filter: (name: string) => boolean = () => true): number {
    let n = 0;
    for (const [name, v] of this.trainable) if (filter(name)) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.trainable.values()) v.dispose();
    for (const v of this.buffers.values()) v.dispose();
    this.trainable.clear();
    this.buffers.clear();
  }
}

/** tfjs wants globally unique variable names; several networks can live side by side. */
const PARAM_SEQ = (() => {
  let i = 0;
  return { next: () => i++ };
})();
