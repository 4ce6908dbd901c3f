// Network stems and the linear classifier, shared by search-time and final networks.
import * as tf from '@tensorflow/tfjs';
import type { ForwardContext, Layer } from './module';
import { BatchNorm } from './operations';
import { conv2d } from './ops/conv2d';
import type { Params } from './params';

/** Conv k×k (no bias) → BN, optionally after a ReLU: the building block of every stem. */
export class ConvBN implements Layer {
  private readonly w: tf.Variable;
  private readonly bn: BatchNorm;

  constructor(
    p: Params,
    name: string,
    cIn: number,
    cOut: number,
    private readonly k: number,
    private readonly stride: number,
    private readonly reluFirst: boolean,
    affine: boolean,
    private readonly reluAfter = false,
  ) {
    this.w = p.uniform(`${name}.conv`, [k, k, cIn, cOut], 1 / Math.sqrt(cIn * k * k));
    this.bn = new BatchNorm(p, `${name}.bn`, cOut, affine);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const h = this.reluFirst ? tf.relu(x) : x;
    const y = this.bn.forward(conv2d(h, this.w as tf.Tensor4D, { stride: this.stride, pad: (this.k - 1) / 2 }), ctx);
    return this.reluAfter ? tf.relu(y) : y;
  }
}

/** The CIFAR stem: one 3×3 conv to `stemMultiplier`·C channels and BN; both cell inputs are its output. */
export class CifarStem {
  readonly out: number;
  private readonly conv: ConvBN;

  constructor(p: Params, cIn: number, C: number, stemMultiplier: number, affine: boolean) {
    this.out = stemMultiplier * C;
    this.conv = new ConvBN(p, 'stem', cIn, this.out, 3, 1, false, affine);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): [tf.Tensor4D, tf.Tensor4D] {
    const s = this.conv.forward(x, ctx);
    return [s, s];
  }
}

/**
 * The ImageNet stem (DARTS' eval network, PC-DARTS' direct ImageNet search): three stride-2 3×3 convs
 * (224 → 28). stem0 = conv(C/2, s2)-BN-ReLU-conv(C, s2)-BN gives c_{k-2}; stem1 = ReLU-conv(C, s2)-BN gives c_{k-1}.
 */
export class ImageNetStem {
  readonly out: number;
  private readonly a: ConvBN;
  private readonly b: ConvBN;
  private readonly c: ConvBN;

  constructor(p: Params, cIn: number, C: number, affine: boolean) {
    this.out = C;
    this.a = new ConvBN(p, 'stem0.0', cIn, C / 2, 3, 2, false, affine, true);
    this.b = new ConvBN(p, 'stem0.1', C / 2, C, 3, 2, false, affine);
    this.c = new ConvBN(p, 'stem1', C, C, 3, 2, true, affine);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): [tf.Tensor4D, tf.Tensor4D] {
    const s0 = this.b.forward(this.a.forward(x, ctx), ctx);
    return [s0, this.c.forward(s0, ctx)];
  }
}

/** nn.Linear(cIn, classes) with PyTorch's default init. */
export class Linear {
  private readonly w: tf.Variable;
  private readonly b: tf.Variable;

  constructor(p: Params, name: string, cIn: number, classes: number) {
    const bound = 1 / Math.sqrt(cIn);
    this.w = p.uniform(`${name}.weight`, [cIn, classes], bound);
    this.b = p.uniform(`${name}.bias`, [classes], bound);
  }

  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.w as tf.Tensor2D), this.b);
  }
}
