// Test-only: the custom ops' cases as data, each with a float64 reference, runnable on whichever tfjs backend is active.
//
// The op tests beside each op (ops/*.test.ts) check cpu and wasm in Node; these cases run the same
// geometries (the DARTS operations' kernels, strides, dilations and paddings, odd and even sizes) in
// Chromium on webgl and webgpu, where tfjs' kernels are entirely different code. Forward outputs are
// compared with float64 loops, gradients with central finite differences of the float64 reference
// (or the routing rule itself where finite differences cannot see a tie).
import type * as tfNs from '@tensorflow/tfjs';
import { avgPool, type AvgPoolOptions } from '../ops/avg-pool';
import { batchNorm } from '../ops/batch-norm';
import { conv2d } from '../ops/conv2d';
import { depthwiseConv } from '../ops/depthwise-conv';
import { maxPool, type MaxPoolOptions } from '../ops/max-pool';
import { pointwiseConv } from '../ops/pointwise-conv';
import { subsample2, zeroInsert } from '../ops/subsample';
import { conv2dRef, DEPTHWISE_GEOMETRIES, depthwiseRef, distinct, poolRef, quantised, type Shape4 } from './op-references';
import { dot, finiteDiff, maxRelError, nhwc, randomArray } from './reference';

type TF = typeof tfNs;

export interface OpInput {
  shape: number[];
  values: Float64Array;
  /** Differentiate with respect to this input. */
  grad: boolean;
}

export interface OpCase {
  /** The op's name (depthwiseConv, maxPool, …): results are grouped by it. */
  op: string;
  /** The geometry and why it is there. */
  name: string;
  inputs: OpInput[];
  /** float64 reference of the op. */
  reference(inputs: Float64Array[]): Float64Array;
  /** The op under test on tensors (inputs in order). */
  run(tf: TF, inputs: tfNs.Tensor[]): tfNs.Tensor;
  /** Relative-error floor (maxRelError) for forward and gradients. */
  floor: number;
  /** Finite-difference step (float64). */
  fdEps?: number;
  /** Gradient references by rule (ties), replacing finite differences for those inputs. */
  gradRule?(inputs: Float64Array[], r: Float64Array): (Float64Array | null)[];
}

export interface OpCaseResult {
  op: string;
  name: string;
  forward: number;
  /** Max relative error of each differentiated input's gradient. */
  grads: number[];
  /** Worst of forward and gradients. */
  worst: number;
}

// ---------------------------------------------------------------- float64 references




function batchNormRef(x: Float64Array, c: number, gamma?: Float64Array, beta?: Float64Array, eps = 1e-5): Float64Array {
  const m = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  x.forEach((v, i) => (mean[i % c] += v / m));
  x.forEach((v, i) => (variance[i % c] += (v - mean[i % c]!) ** 2 / m));
  return x.map((v, i) => ((v - mean[i % c]!) / Math.sqrt(variance[i % c]! + eps)) * (gamma ? gamma[i % c]! : 1) + (beta ? beta[i % c]! : 0));
}

function subsampleRef(x: Float64Array, xs: Shape4, off: number): Float64Array {
  const [n, h, w, c] = xs;
  const ys: Shape4 = [n, Math.ceil((h - off) / 2), Math.ceil((w - off) / 2), c];
  const y = new Float64Array(ys[0] * ys[1] * ys[2] * ys[3]);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ys[1]; i++) for (let j = 0; j < ys[2]; j++) for (let ch = 0; ch < c; ch++) y[nhwc(ys, b, i, j, ch)] = x[nhwc(xs, b, off + 2 * i, off + 2 * j, ch)]!;
  return y;
}

function zeroInsertRef(x: Float64Array, xs: Shape4, factor: number, off: number): Float64Array {
  const [n, h, w, c] = xs;
  const ys: Shape4 = [n, factor * h, factor * w, c];
  const y = new Float64Array(ys[0] * ys[1] * ys[2] * ys[3]);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let ch = 0; ch < c; ch++) y[nhwc(ys, b, factor * i + off, factor * j + off, ch)] = x[nhwc(xs, b, i, j, ch)]!;
  return y;
}



const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Inputs exactly representable in float32, so the float64 reference sees what the tensor holds. */
const f32 = (v: Float64Array) => Float64Array.from(Float32Array.from(v));

// ---------------------------------------------------------------- the cases

const SHAPES: Shape4[] = [
  [2, 7, 7, 3],
  [2, 8, 8, 4],
];

function depthwiseCases(): OpCase[] {
  return DEPTHWISE_GEOMETRIES.flatMap((g) =>
    SHAPES.map((xs, si) => ({
      op: 'depthwiseConv',
      name: `k${g.k} stride ${g.stride} dilation ${g.dilation} pad ${g.pad} (${g.why}) on ${xs.join('×')}`,
      inputs: [
        { shape: xs, values: f32(randomArray(size(xs), 11 + si + g.k)), grad: true },
        { shape: [g.k, g.k, xs[3], 1], values: f32(randomArray(g.k * g.k * xs[3], 12 + si)), grad: true },
      ],
      reference: ([x, f]) => depthwiseRef(x!, xs, f!, g.k, g).y,
      run: (_tf, [x, f]) => depthwiseConv(x as tfNs.Tensor4D, f as tfNs.Tensor4D, g),
      floor: 1e-2,
    })),
  );
}

function conv2dCases(): OpCase[] {
  const cout = 4;
  const geometries = [
    { kh: 1, kw: 1, stride: 1, pad: 0, why: '1×1' },
    { kh: 3, kw: 3, stride: 1, pad: 1, why: 'stem 3×3' },
    { kh: 3, kw: 3, stride: 2, pad: 1, why: 'stem 3×3 stride 2' },
    { kh: 1, kw: 1, stride: 2, pad: 0, why: '1×1 stride 2 (factorized reduce)' },
    { kh: 2, kw: 2, stride: 1, pad: 0, why: '2×2 valid (auxiliary head)' },
    { kh: 3, kw: 2, stride: 1, pad: 2, why: 'non-square kernel, pad beyond the kernel reach' },
  ];
  return geometries.flatMap((g) =>
    SHAPES.map((xs, si) => ({
      op: 'conv2d',
      name: `${g.kh}×${g.kw} stride ${g.stride} pad ${g.pad} (${g.why}) on ${xs.join('×')}`,
      inputs: [
        { shape: xs, values: f32(randomArray(size(xs), 21 + si)), grad: true },
        { shape: [g.kh, g.kw, xs[3], cout], values: f32(randomArray(g.kh * g.kw * xs[3] * cout, 22 + si)), grad: true },
      ],
      reference: ([x, f]) => conv2dRef(x!, xs, f!, g.kh, g.kw, cout, g).y,
      run: (_tf, [x, f]) => conv2d(x as tfNs.Tensor4D, f as tfNs.Tensor4D, { stride: g.stride, pad: g.pad }),
      floor: 1e-2,
    })),
  );
}

function pointwiseCases(): OpCase[] {
  return SHAPES.map((xs, si) => ({
    op: 'pointwiseConv',
    name: `1×1 ${xs[3]} → 5 on ${xs.join('×')}`,
    inputs: [
      { shape: xs, values: f32(randomArray(size(xs), 31 + si)), grad: true },
      { shape: [xs[3], 5], values: f32(randomArray(xs[3] * 5, 32 + si)), grad: true },
    ],
    reference: ([x, w]) => conv2dRef(x!, xs, w!, 1, 1, 5, { stride: 1, pad: 0 }).y,
    run: (_tf, [x, w]) => pointwiseConv(x as tfNs.Tensor4D, w as tfNs.Tensor2D),
    floor: 1e-2,
  }));
}

function maxPoolCases(): OpCase[] {
  const geometries: (MaxPoolOptions & { why: string })[] = [
    { size: 3, stride: 1, pad: 1, why: 'max_pool_3x3' },
    { size: 3, stride: 2, pad: 1, why: 'max_pool_3x3 reduce' },
    { size: 2, stride: 2, pad: 0, why: 'non-overlapping' },
    { size: 3, stride: 2, pad: 0, why: 'unused trailing rows' },
  ];
  return geometries.flatMap((g) =>
    SHAPES.flatMap((xs, si) => [
      {
        op: 'maxPool',
        name: `size ${g.size} stride ${g.stride} pad ${g.pad} (${g.why}), distinct values, on ${xs.join('×')}`,
        inputs: [{ shape: xs, values: f32(distinct(size(xs), 41 + si)), grad: true }],
        reference: ([x]) => poolRef(x!, xs, g, 'max').y,
        run: (_tf: TF, [x]: tfNs.Tensor[]) => maxPool(x as tfNs.Tensor4D, g),
        floor: 1e-3,
        fdEps: 1e-6,
      },
      {
        op: 'maxPool',
        name: `size ${g.size} stride ${g.stride} pad ${g.pad} (${g.why}), ties routed to the first maximum, on ${xs.join('×')}`,
        inputs: [{ shape: xs, values: quantised(size(xs), 43 + si), grad: true }],
        reference: ([x]) => poolRef(x!, xs, g, 'max').y,
        run: (_tf: TF, [x]: tfNs.Tensor[]) => maxPool(x as tfNs.Tensor4D, g),
        floor: 1e-3,
        gradRule: ([x]: Float64Array[], r: Float64Array) => {
          const { arg } = poolRef(x!, xs, g, 'max');
          const gx = new Float64Array(x!.length);
          for (let o = 0; o < arg.length; o++) gx[arg[o]!] += r[o]!;
          return [gx];
        },
      },
    ]),
  );
}

function avgPoolCases(): OpCase[] {
  const geometries: (AvgPoolOptions & { why: string })[] = [
    { size: 3, stride: 1, pad: 1, countIncludePad: false, why: 'avg_pool_3x3' },
    { size: 3, stride: 2, pad: 1, countIncludePad: false, why: 'avg_pool_3x3 reduce' },
    { size: 3, stride: 2, pad: 1, countIncludePad: true, why: 'padding counted, stride 2' },
    { size: 5, stride: 3, pad: 0, countIncludePad: true, why: 'CIFAR auxiliary head' },
    { size: 4, stride: 2, pad: 2, countIncludePad: false, why: 'even window, pad k/2' },
  ];
  return geometries.flatMap((g) =>
    SHAPES.map((xs, si) => ({
      op: 'avgPool',
      name: `size ${g.size} stride ${g.stride} pad ${g.pad}${g.countIncludePad ? ' count_include_pad' : ''} (${g.why}) on ${xs.join('×')}`,
      inputs: [{ shape: xs, values: f32(randomArray(size(xs), 51 + si)), grad: true }],
      reference: ([x]: Float64Array[]) => poolRef(x!, xs, g, 'avg').y,
      run: (_tf: TF, [x]: tfNs.Tensor[]) => avgPool(x as tfNs.Tensor4D, g),
      floor: 1e-3,
    })),
  );
}

function batchNormCases(): OpCase[] {
  const shapes: Shape4[] = [
    [2, 5, 5, 3],
    [2, 4, 4, 4],
  ];
  return shapes.flatMap((xs, si) => [
    {
      op: 'batchNorm',
      name: `training, non-affine (search network) on ${xs.join('×')}`,
      inputs: [{ shape: xs, values: f32(randomArray(size(xs), 61 + si, 2)), grad: true }],
      reference: ([x]: Float64Array[]) => batchNormRef(x!, xs[3]),
      run: (_tf: TF, [x]: tfNs.Tensor[]) => batchNorm(x as tfNs.Tensor4D, { training: true }),
      floor: 1e-2,
    },
    {
      op: 'batchNorm',
      name: `training, affine (eval network) on ${xs.join('×')}`,
      inputs: [
        { shape: xs, values: f32(randomArray(size(xs), 63 + si, 2)), grad: true },
        { shape: [xs[3]], values: f32(randomArray(xs[3], 64 + si).map((v) => 1 + 0.5 * v)), grad: true },
        { shape: [xs[3]], values: f32(randomArray(xs[3], 65 + si)), grad: true },
      ],
      reference: ([x, g, b]: Float64Array[]) => batchNormRef(x!, xs[3], g, b),
      run: (_tf: TF, [x, g, b]: tfNs.Tensor[]) => batchNorm(x as tfNs.Tensor4D, { training: true, gamma: g as tfNs.Tensor1D, beta: b as tfNs.Tensor1D }),
      floor: 1e-2,
    },
  ]);
}

function subsampleCases(): OpCase[] {
  const shapes: Shape4[] = [
    [2, 8, 8, 3],
    [2, 7, 7, 4],
  ];
  return shapes.flatMap((xs, si) => [
    ...([0, 1] as const).map((off) => ({
      op: 'subsample2',
      name: `offset ${off} on ${xs.join('×')}`,
      inputs: [{ shape: xs, values: f32(randomArray(size(xs), 71 + si + off)), grad: true }],
      reference: ([x]: Float64Array[]) => subsampleRef(x!, xs, off),
      run: (_tf: TF, [x]: tfNs.Tensor[]) => subsample2(x as tfNs.Tensor4D, off),
      floor: 1e-2,
    })),
    {
      op: 'zeroInsert',
      name: `factor 2 offset 1 on ${xs.join('×')}`,
      inputs: [{ shape: xs, values: f32(randomArray(size(xs), 75 + si)), grad: true }],
      reference: ([x]: Float64Array[]) => zeroInsertRef(x!, xs, 2, 1),
      run: (_tf: TF, [x]: tfNs.Tensor[]) => zeroInsert(x as tfNs.Tensor4D, 2, 1),
      floor: 1e-2,
    },
  ]);
}

/**
 * A DARTS node's weighted sum Σ w_i·o_i through tf.addN, as SearchCell does: up to (edges × ops) terms,
 * 40 for the fourth node of S1. (tfjs-webgpu 4.22 sums 8 or more AddN inputs wrongly: see gpu/webgpu-addn.ts.)
 */
function nodeSumCases(): OpCase[] {
  const xs: Shape4 = [2, 4, 4, 3];
  return [2, 7, 8, 9, 16, 40].map((k) => ({
    op: 'nodeSum',
    name: `Σ w·o over ${k} terms (tf.addN)`,
    inputs: [
      ...Array.from({ length: k }, (_, i) => ({ shape: xs as number[], values: f32(randomArray(size(xs), 81 + i)), grad: true })),
      ...Array.from({ length: k }, (_, i) => ({ shape: [] as number[], values: f32(randomArray(1, 181 + i).map((v) => 0.5 + 0.5 * v)), grad: true })),
    ],
    reference: (v: Float64Array[]) => {
      const y = new Float64Array(size(xs));
      for (let i = 0; i < k; i++) for (let j = 0; j < y.length; j++) y[j] += v[k + i]![0]! * v[i]![j]!;
      return y;
    },
    run: (tf: TF, t: tfNs.Tensor[]) => tf.addN(Array.from({ length: k }, (_, i) => tf.mul(t[k + i]!, t[i]!))),
    floor: 1e-2,
  }));
}

export function opCases(): OpCase[] {
  return [...depthwiseCases(), ...conv2dCases(), ...pointwiseCases(), ...maxPoolCases(), ...avgPoolCases(), ...batchNormCases(), ...subsampleCases(), ...nodeSumCases()];
}

/** The float64 side of a case, computed once and shared by every backend: output, cotangent r, gradients of Σ y·r. */
export interface ExpectedOp {
  y: Float64Array;
  r: Float64Array;
  grads: (Float64Array | null)[];
}

export function expectedFor(c: OpCase, seed = 7): ExpectedOp {
  const xs = c.inputs.map((i) => i.values);
  const y = c.reference(xs);
  const r = f32(randomArray(y.length, seed + y.length));
  const rule = c.gradRule?.(xs, r);
  const grads = c.inputs.map((inp, k) => {
    if (!inp.grad) return null;
    if (rule?.[k]) return rule[k];
    return finiteDiff((v) => dot(c.reference(xs.map((x, j) => (j === k ? v : x))), r), inp.values, c.fdEps ?? 1e-4);
  });
  return { y, r, grads };
}

/**
 * Run a case on the active backend: forward and the gradients of Σ y·r through tf.grads, read back with
 * `await data()` (webgpu's synchronous readback is unreliable in some browsers).
 */
export async function runOpCase(tf: TF, c: OpCase, e: ExpectedOp): Promise<OpCaseResult> {
  const inputs = c.inputs.map((i) => tf.tensor(Float32Array.from(i.values), i.shape));
  const r = tf.tensor(Float32Array.from(e.r));
  const diff = c.inputs.map((i, k) => (i.grad ? k : -1)).filter((k) => k >= 0);
  try {
    const [y, ...gs] = tf.tidy(() => {
      const y = c.run(tf, inputs);
      // Inputs pass through an op, so they are intermediates of the tape, as inside a network.
      const f = (...args: tfNs.Tensor[]) => {
        const all = inputs.slice();
        diff.forEach((k, j) => (all[k] = tf.mul(args[j]!, 1)));
        return tf.sum(tf.mul(tf.reshape(c.run(tf, all), [-1]), r)) as tfNs.Scalar;
      };
      return [y, ...tf.grads(f)(diff.map((k) => inputs[k]!))];
    });
    const forward = maxRelError(await y!.data(), e.y, c.floor);
    const grads: number[] = [];
    for (let j = 0; j < diff.length; j++) grads.push(maxRelError(await gs[j]!.data(), e.grads[diff[j]!]!, c.floor));
    tf.dispose([y!, ...gs]);
    return { op: c.op, name: c.name, forward, grads, worst: Math.max(forward, ...grads) };
  } finally {
    tf.dispose([...inputs, r]);
  }
}
