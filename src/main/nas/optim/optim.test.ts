import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backends';
import { Adam } from './adam';
import { Sgd, clipGradNorm } from './sgd';

beforeAll(() => useBackend('cpu'));

/** Hand-rolled float64 versions of torch.optim's formulas, the independent figure. */
function sgdRef(p: number, grads: number[], lr: number, mu: number, wd: number): number {
  let buf: number | undefined;
  for (const g0 of grads) {
    const g = g0 + wd * p;
    buf = buf === undefined ? g : mu * buf + g;
    p -= lr * buf;
  }
  return p;
}

function adamRef(p: number, grads: number[], lr: number, b1: number, b2: number, wd: number): number {
  let m = 0;
  let v = 0;
  grads.forEach((g0, i) => {
    const t = i + 1;
    const g = g0 + wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mh = m / (1 - b1 ** t);
    const vh = v / (1 - b2 ** t);
    p -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
  });
  return p;
}

describe('optimizers follow torch.optim', () => {
  const grads = [0.5, -1.25, 2, 0.125, -0.75];

  it('SGD with momentum and weight decay', () => {
    const v = tf.variable(tf.scalar(0.3));
    const sgd = new Sgd(new Map([['p', v]]), { momentum: 0.9, weightDecay: 3e-4 });
    for (const g of grads) sgd.step(new Map([['p', tf.scalar(g)]]), 0.025);
    expect(v.dataSync()[0]).toBeCloseTo(sgdRef(0.3, grads, 0.025, 0.9, 3e-4), 6);
    sgd.dispose();
    v.dispose();
  });

  it('Adam with L2 weight decay and betas (0.5, 0.999)', () => {
    const v = tf.variable(tf.scalar(-0.2));
    const adam = new Adam(new Map([['p', v]]), { beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 });
    for (const g of grads) adam.step(new Map([['p', tf.scalar(g)]]), 3e-4);
    expect(v.dataSync()[0]).toBeCloseTo(adamRef(-0.2, grads, 3e-4, 0.5, 0.999, 1e-3), 7);
    expect(adam.t).toBe(5);
    adam.dispose();
    v.dispose();
  });

  it('clips the global gradient norm like clip_grad_norm_', () => {
    const g = new Map<string, tf.Tensor>([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor1d([0, 4])],
    ]);
    const { grads: c, norm } = clipGradNorm(g, 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect([...c.get('a')!.dataSync(), ...c.get('b')!.dataSync()].map((x) => +x.toFixed(6))).toEqual([0.6, 0, 0, 0.8].map((x) => +(x * (5 / (5 + 1e-6))).toFixed(6)));
    // Below the limit the gradients pass unchanged (multiplied by exactly 1).
    const loose = clipGradNorm(g, 10);
    expect([...loose.grads.get('a')!.dataSync(), ...loose.grads.get('b')!.dataSync()]).toEqual([3, 0, 0, 4]);
    expect(loose.norm.dataSync()[0]).toBeCloseTo(5, 6);
  });

  it('does not leak tensors across steps', () => {
    const v = tf.variable(tf.ones([3, 3]));
    const sgd = new Sgd(new Map([['p', v]]), { momentum: 0.9, weightDecay: 3e-4 });
    const step = () => tf.tidy(() => sgd.step(new Map([['p', tf.onesLike(v)]]), 0.1));
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});
