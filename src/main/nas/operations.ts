// The DARTS primitives as layers, and the OPS registry mapping each primitive to a (C, stride, affine) factory.
import * as tf from '@tensorflow/tfjs';
import type { Primitive } from '../../shared/search-space';
import type { ForwardContext, Layer } from './module';
import type { Params } from './params';
import { avgPool } from './ops/avg-pool';
import { batchNorm } from './ops/batch-norm';
import { depthwiseConv } from './ops/depthwise-conv';
import { maxPool } from './ops/max-pool';
import { pointwiseConv } from './ops/pointwise-conv';
import { subsample2 } from './ops/subsample';

/** BatchNorm2d(C, affine): γ, β trainable when affine; running statistics as buffers either way. */
export class BatchNorm implements Layer {
  /** PyTorch's default running-statistics momentum and epsilon. */
  static readonly MOMENTUM = 0.1;
  static readonly EPS = 1e-5;
  readonly gamma?: tf.Variable;
  readonly beta?: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  constructor(p: Params, name: string, C: number, affine: boolean) {
    if (affine) {
      this.gamma = p.constant(`${name}.weight`, [C], 1);
      this.beta = p.constant(`${name}.bias`, [C], 0);
    }
    this.runningMean = p.buffer(`${name}.running_mean`, [C], 0);
    this.runningVar = p.buffer(`${name}.running_var`, [C], 1);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return batchNorm(x, {
      gamma: this.gamma as tf.Tensor1D | undefined,
      beta: this.beta as tf.Tensor1D | undefined,
      training: ctx.training,
      eps: BatchNorm.EPS,
      state: { runningMean: this.runningMean, runningVar: this.runningVar, momentum: BatchNorm.MOMENTUM },
    });
  }
}

/** Depthwise k×k weights [k, k, C, 1]; fan_in = k·k (groups = C). */
function depthwiseWeight(p: Params, name: string, k: number, C: number): tf.Variable {
  return p.uniform(name, [k, k, C, 1], 1 / Math.sqrt(k * k));
}

/** 1×1 weights as a [C_in, C_out] matrix; fan_in = C_in. */
function pointwiseWeight(p: Params, name: string, cIn: number, cOut: number): tf.Variable {
  return p.uniform(name, [cIn, cOut], 1 / Math.sqrt(cIn));
}

/** ReLU → 1×1 conv → BN: the cell-input preprocessing (kernel 1 only, as every DARTS use of it). */
export class ReLUConvBN implements Layer {
  readonly w: tf.Variable;
  readonly bn: BatchNorm;

  constructor(p: Params, name: string, cIn: number, cOut: number, affine: boolean) {
    this.w = pointwiseWeight(p, `${name}.conv`, cIn, cOut);
    this.bn = new BatchNorm(p, `${name}.bn`, cOut, affine);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.bn.forward(pointwiseConv(tf.relu(x), this.w as tf.Tensor2D), ctx);
  }
}

/** ReLU → dilated depthwise → pointwise → BN (dil_conv_*). */
export class DilConv implements Layer {
  readonly dw: tf.Variable;
  readonly pw: tf.Variable;
  readonly bn: BatchNorm;

  constructor(
    p: Params,
    name: string,
    cIn: number,
    cOut: number,
    readonly k: number,
    readonly stride: 1 | 2,
    readonly pad: number,
    readonly dilation: number,
    affine: boolean,
  ) {
    this.dw = depthwiseWeight(p, `${name}.dw`, k, cIn);
    this.pw = pointwiseWeight(p, `${name}.pw`, cIn, cOut);
    this.bn = new BatchNorm(p, `${name}.bn`, cOut, affine);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const h = depthwiseConv(tf.relu(x), this.dw as tf.Tensor4D, { stride: this.stride, dilation: this.dilation, pad: this.pad });
    return this.bn.forward(pointwiseConv(h, this.pw as tf.Tensor2D), ctx);
  }
}

/** Two stacked DilConvs at dilation 1, only the first strided (sep_conv_*): the reference's SepConv. */
export class SepConv implements Layer {
  readonly first: DilConv;
  readonly second: DilConv;

  constructor(p: Params, name: string, cIn: number, cOut: number, k: number, stride: 1 | 2, pad: number, affine: boolean) {
    this.first = new DilConv(p, `${name}.0`, cIn, cIn, k, stride, pad, 1, affine);
    this.second = new DilConv(p, `${name}.1`, cIn, cOut, k, 1, pad, 1, affine);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.second.forward(this.first.forward(x, ctx), ctx);
  }
}

/** ReLU → two 1×1 stride-2 convs on offset grids, concatenated → BN: halves the resolution without losing pixels. */
export class FactorizedReduce implements Layer {
  readonly w1: tf.Variable;
  readonly w2: tf.Variable;
  readonly bn: BatchNorm;

  constructor(p: Params, name: string, cIn: number, cOut: number, affine: boolean) {
    if (cOut % 2 !== 0) throw new Error(`FactorizedReduce needs an even channel count, got ${cOut}`);
    this.w1 = pointwiseWeight(p, `${name}.conv_1`, cIn, cOut / 2);
    this.w2 = pointwiseWeight(p, `${name}.conv_2`, cIn, cOut / 2);
    this.bn = new BatchNorm(p, `${name}.bn`, cOut, affine);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const r = tf.relu(x);
    const a = pointwiseConv(subsample2(r, 0), this.w1 as tf.Tensor2D);
    const b = pointwiseConv(subsample2(r, 1), this.w2 as tf.Tensor2D);
    return this.bn.forward(tf.concat([a, b], 3), ctx);
  }
}

export class Identity implements Layer {
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return x;
  }
}

/** The `none` op. Mixed edges skip it (Σ w·0 = 0 exactly); it exists for completeness and tests. */
export class Zero implements Layer {
  constructor(private readonly stride: 1 | 2) {}

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const shape: [number, number, number, number] =
      this.stride === 1 ? [n, h, w, c] : [n, Math.floor((h - 1) / 2) + 1, Math.floor((w - 1) / 2) + 1, c];
    return tf.zeros(shape);
  }
}

/** 3×3 pooling, padding 1 (max, or average excluding the padding). */
export class Pool implements Layer {
  constructor(
    readonly kind: 'max' | 'avg',
    readonly stride: 1 | 2,
  ) {}

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return this.kind === 'max'
      ? maxPool(x, { size: 3, stride: this.stride, pad: 1 })
      : avgPool(x, { size: 3, stride: this.stride, pad: 1, countIncludePad: false });
  }
}

/** A layer followed by another (the search network's pool → non-affine BN). */
export class Sequence implements Layer {
  constructor(readonly layers: Layer[]) {}

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.layers.reduce((h, l) => l.forward(h, ctx), x);
  }
}

export type OpFactory = (p: Params, name: string, C: number, stride: 1 | 2, affine: boolean) => Layer;

/** The reference's OPS table: every primitive → a (C, stride, affine) factory. */
export const OPS: Record<Primitive, OpFactory> = {
  none: (_p, _n, _C, stride) => new Zero(stride),
  avg_pool_3x3: (_p, _n, _C, stride) => new Pool('avg', stride),
  max_pool_3x3: (_p, _n, _C, stride) => new Pool('max', stride),
  skip_connect: (p, name, C, stride, affine) => (stride === 1 ? new Identity() : new FactorizedReduce(p, name, C, C, affine)),
  sep_conv_3x3: (p, name, C, stride, affine) => new SepConv(p, name, C, C, 3, stride, 1, affine),
  sep_conv_5x5: (p, name, C, stride, affine) => new SepConv(p, name, C, C, 5, stride, 2, affine),
  dil_conv_3x3: (p, name, C, stride, affine) => new DilConv(p, name, C, C, 3, stride, 2, 2, affine),
  dil_conv_5x5: (p, name, C, stride, affine) => new DilConv(p, name, C, C, 5, stride, 4, 2, affine),
};

export function isPooling(op: Primitive): boolean {
  return op === 'max_pool_3x3' || op === 'avg_pool_3x3';
}
