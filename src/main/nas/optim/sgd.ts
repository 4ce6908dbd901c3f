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
 * torch.nn.utils.clip_grad_norm_: scale all gradients by max_norm / (‖g‖₂ + 1e-6) when that is < 1.
 * Returns the new map (caller disposes the old) and the total norm before clipping.
 */
export function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  const sq = tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt(sq.dataSync()[0]!);
  sq.dispose();
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return { grads, norm };
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) out.set(k, tf.mul(g, coef));
  return { grads: out, norm };
}
