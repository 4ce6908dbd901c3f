// Adam with L2 weight decay folded into the gradient (torch.optim.Adam's weight_decay), checkpointable.
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  weightDecay: number;
  eps?: number;
}

export class Adam {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Steps taken (bias correction uses it). */
  t = 0;

  constructor(
    readonly vars: Map<string, tf.Variable>,
    readonly options: AdamOptions,
  ) {}

  step(grads: Map<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, weightDecay } = this.options;
    const eps = this.options.eps ?? 1e-8;
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      for (const [name, p] of this.vars) {
        const g0 = grads.get(name);
        if (!g0) continue;
        const g = weightDecay ? tf.add(g0, tf.mul(p, weightDecay)) : g0;
        const m = this.slot(this.m, name, p);
        const v = this.slot(this.v, name, p);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        // θ ← θ − (lr / bc1) · m / (√v / √bc2 + ε), exactly torch's order of operations.
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), lr / bc1)));
      }
    });
  }

  private slot(map: Map<string, tf.Variable>, name: string, like: tf.Variable): tf.Variable {
    let s = map.get(name);
    if (!s) {
      s = tf.variable(tf.zeros(like.shape), false);
      map.set(name, s);
    }
    return s;
  }

  dispose(): void {
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
  }
}
