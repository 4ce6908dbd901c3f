// The auxiliary classifier after cell 2L/3 (training only), in the reference's CIFAR and ImageNet forms.
import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './module';
import { BatchNorm } from './operations';
import { avgPool, globalAvgPool } from './ops/avg-pool';
import { conv2d } from './ops/conv2d';
import { pointwiseConv } from './ops/pointwise-conv';
import type { Params } from './params';
import { Linear } from './stem';

/** Every parameter of the head is named under this prefix, so counts can leave it out. */
export const AUXILIARY_PREFIX = 'auxiliary_head.';

export type AuxiliaryKind = 'cifar' | 'imagenet';

/** The reference's pool window and stride (on its 8×8 / 7×7 maps), and whether a BN follows the 2×2 conv (the reference's ImageNet head omits it). */
export const AUXILIARY_GEOMETRY: Record<AuxiliaryKind, { pool: number; stride: number; countIncludePad: boolean; bn2: boolean }> = {
  // ReLU, AvgPool(5, stride 3, pad 0), 1×1 conv 128, BN, ReLU, 2×2 conv 768, BN, ReLU, Linear (8×8 → 2×2 → 1×1).
  cifar: { pool: 5, stride: 3, countIncludePad: true, bn2: true },
  // ReLU, AvgPool(5, stride 2, pad 0, count_include_pad=False), 1×1 conv 128, BN, ReLU, 2×2 conv 768, ReLU, Linear (7×7 → 2×2 → 1×1).
  imagenet: { pool: 5, stride: 2, countIncludePad: false, bn2: false },
};

/**
 * The pool window and stride the head uses on an h×w map, and the sizes after the pool and after the 2×2 conv.
 * Where the reference's window fits with a 2×2 result (CIFAR 8×8, ImageNet 7×7) it is used as is; on smaller
 * maps (28×28 images leave 7×7 on the CIFAR network) the stride narrows (7×7 → the ImageNet head's stride 2), then
 * the window (down to 1 on a 2×2 map), so the pool always leaves at least 2×2 for the 2×2 conv. Padding is 0, so
 * count_include_pad changes nothing. Only a 1-pixel map is refused.
 */
export function auxiliaryGeometry(kind: AuxiliaryKind, h: number, w: number): { pool: number; stride: number; pooled: [number, number]; out: [number, number] } {
  const g = AUXILIARY_GEOMETRY[kind];
  const m = Math.min(h, w);
  if (m < 2) {
    throw new Error(
      `the auxiliary head needs a feature map of at least 2×2 after cell 2L/3, got ${h}×${w}: use larger images or turn the auxiliary head off (--no-auxiliary; the retrain form's auxiliary head box)`,
    );
  }
  const pool = m > g.pool ? g.pool : m - 1;
  const stride = Math.max(1, Math.min(g.stride, m - pool));
  const pooled: [number, number] = [Math.floor((h - pool) / stride) + 1, Math.floor((w - pool) / stride) + 1];
  return { pool, stride, pooled, out: [pooled[0] - 1, pooled[1] - 1] };
}

export class AuxiliaryHead {
  private readonly w1: tf.Variable;
  private readonly bn1: BatchNorm;
  private readonly w2: tf.Variable;
  private readonly bn2?: BatchNorm;
  private readonly classifier: Linear;

  constructor(
    p: Params,
    readonly kind: AuxiliaryKind,
    readonly C: number,
    numClasses: number,
  ) {
    const name = AUXILIARY_PREFIX.slice(0, -1);
    this.w1 = p.uniform(`${name}.conv1`, [C, 128], 1 / Math.sqrt(C));
    this.bn1 = new BatchNorm(p, `${name}.bn1`, 128, true);
    this.w2 = p.uniform(`${name}.conv2`, [2, 2, 128, 768], 1 / Math.sqrt(128 * 4));
    if (AUXILIARY_GEOMETRY[kind].bn2) this.bn2 = new BatchNorm(p, `${name}.bn2`, 768, true);
    this.classifier = new Linear(p, `${name}.classifier`, 768, numClasses);
  }

  /** Logits [N, classes]. Where the 2×2 conv leaves more than 1×1 (larger images), its map is averaged first. */
  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    const g = auxiliaryGeometry(this.kind, x.shape[1], x.shape[2]);
    let h = avgPool(tf.relu(x), { size: g.pool, stride: g.stride, pad: 0, countIncludePad: AUXILIARY_GEOMETRY[this.kind].countIncludePad });
    h = tf.relu(this.bn1.forward(pointwiseConv(h, this.w1 as tf.Tensor2D), ctx));
    h = conv2d(h, this.w2 as tf.Tensor4D, { stride: 1, pad: 0 });
    if (this.bn2) h = this.bn2.forward(h, ctx);
    h = tf.relu(h);
    const flat = h.shape[1] === 1 && h.shape[2] === 1 ? (tf.reshape(h, [h.shape[0], h.shape[3]]) as tf.Tensor2D) : globalAvgPool(h);
    return this.classifier.forward(flat);
  }
}
