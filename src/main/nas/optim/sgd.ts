// SGD with momentum and L2 weight decay, with PyTorch's update rule and a checkpointable state.
import * as tf from '@tensorflow/tfjs';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

/** torch.optim.SGD: g ← ∇ + wd·θ; buf ← μ·buf + g (buf₀ = g); θ ← θ − lr·buf. */
export class Sgd {
  readonly momenta = new Map<string, tf.Variable>();

  constructor(
    readonly vars: Map<string, tf.Variable>,
    readonly options: SgdOptions,
  ) {}

  /** `grads` keyed by the same names as `vars`; missing entries (unused params) are skipped like PyTorch's None grads. */
  step(grads: Map<string, tf.Tensor>, lr: number): void {
    const { momentum, weightDecay } = this.options;
    tf.tidy(() => {
      for (const [name, v] of this.vars) {
        const g0 = grads.get(name);
        if (!g0) continue;
        const g = weightDecay ? tf.add(g0, tf.mul(v, weightDecay)) : g0;
        let buf = this.momenta.get(name);
        let update: tf.Tensor;
        if (momentum) {
          if (!buf) {
            buf = tf.variable(tf.zeros(v.shape), false);
            this.momenta.set(name, buf);
            buf.assign(g);
          } else {
            buf.assign(tf.add(tf.mul(buf, momentum), g));
          }
          update = buf;
        } else {
          update = g;
        }
        v.assign(tf.sub(v, tf.mul(update, lr)));
      }
    });
  }

  dispose(): void {
    for (const v of this.momenta.values()) v.dispose();
    this.momenta.clear();
  }
}

/**
 * torch.nn.utils.clip_grad_norm_: g ← g · min(1, max_norm / (‖g‖₂ + 1e-6)), computed on the device as
 * PyTorch (≥ 1.13) does, so a step never waits for a readback. Returns the new map (the caller disposes the
 * old) and the total norm before clipping, a scalar tensor.
 */
export function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: tf.Scalar } {
  const norm = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
  const coef = tf.tidy(() => tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1));
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) out.set(k, tf.mul(g, coef));
  coef.dispose();
  return { grads: out, norm };
}
