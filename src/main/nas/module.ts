// The minimal module protocol shared by search-time and final networks.
import type * as tf from '@tensorflow/tfjs';

export interface ForwardContext {
  /** Batch statistics and BN running-stat updates when true; running statistics when false. */
  training: boolean;
  /** Drop-path probability for the final network (0 in search networks and at evaluation). */
  dropPathProb?: number;
  /** Uniform source in [0,1) for drop-path masks, seeded by the caller so steps replay exactly. */
  random?: () => number;
}

export interface Layer {
  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
}
