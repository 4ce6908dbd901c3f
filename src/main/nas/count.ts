// Parameter and multiply-add counts of final networks and supernets, as the DARTS code and papers report them.
//
// Parameters: trainable scalars (conv and linear weights, linear biases, affine BN γ/β), counted from the
// built network's variables by name; the auxiliary head (`auxiliary_head.*`) and α are left out, as the
// reference's `count_parameters_in_MB` does, and the count with the head is given beside it. BN running
// statistics are buffers, not parameters.
//
// Multiply-adds, for ONE image at the given input size, inference path (the auxiliary head is reported
// apart, since it runs only in training):
//   counted:     every convolution, k·k·(C_in/groups)·C_out·H_out·W_out (stem convs, 1×1 preprocessing,
//                FactorizedReduce's two 1×1 convs, depthwise (groups = C) and pointwise convs of sep/dil
//                convs, the auxiliary head's 1×1 and 2×2 convs), and every linear layer, in·out;
//   not counted: BatchNorm, ReLU, pooling (max, average, global), the node sums, concatenation, drop-path,
//                biases, softmax — and, in a supernet, the α weighting (the `none` op costs nothing).
// Sizes follow PyTorch's conv arithmetic (floor((H + 2p − d(k−1) − 1)/s) + 1) at every layer.
import { reductionIndices, type Primitive } from '../../shared/search-space';
import { AUXILIARY_GEOMETRY, AUXILIARY_PREFIX, auxiliaryGeometry, type AuxiliaryKind } from './auxiliary-head';
import { cellGenotype } from './eval-cell';
import { evalNetworkPlan, type EvalNetwork, type EvalNetworkOptions } from './eval-network';
import type { Params } from './params';
import type { SearchNetwork, SearchNetworkOptions } from './search-network';

export interface Cost {
  params: number;
  madds: number;
}

export interface CellCount extends Cost {
  index: number;
  reduction: boolean;
  /** Channels: C_pp, C_p, C and the output. */
  cPrevPrev: number;
  cPrev: number;
  C: number;
  out: number;
  /** Output height and width. */
  size: [number, number];
}

export interface NetworkCount {
  kind: 'eval' | 'supernet';
  inputShape: [number, number, number];
  numClasses: number;
  /** Trainable parameters, auxiliary head and α excluded (the reference's count_parameters_in_MB × 1e6). */
  parameters: number;
  /** The same with the auxiliary head (= parameters when the network has none). */
  parametersWithAuxiliary: number;
  /** Multiply-adds of one forward pass at `inputShape` for one image, auxiliary head excluded. */
  multiplyAdds: number;
  /** Multiply-adds of the auxiliary head for one image (0 when there is none). */
  auxiliaryMultiplyAdds: number;
  breakdown: { stem: Cost; cells: CellCount[]; auxiliary: Cost | null; classifier: Cost };
}

type Size = [number, number];

const zero = (): Cost => ({ params: 0, madds: 0 });

function add(a: Cost, ...bs: Cost[]): Cost {
  for (const b of bs) {
    a.params += b.params;
    a.madds += b.madds;
  }
  return a;
}

function outSize([h, w]: Size, k: number, stride: number, pad: number, dilation = 1): Size {
  const o = (s: number) => Math.floor((s + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
  return [o(h), o(w)];
}

/** A bias-free conv: k·k·(C_in/groups)·C_out weights, each used H_out·W_out times. */
function conv(k: number, cIn: number, cOut: number, groups: number, out: Size): Cost {
  const params = k * k * (cIn / groups) * cOut;
  return { params, madds: params * out[0] * out[1] };
}

function bn(C: number, affine: boolean): Cost {
  return { params: affine ? 2 * C : 0, madds: 0 };
}

function linear(cIn: number, cOut: number): Cost {
  return { params: cIn * cOut + cOut, madds: cIn * cOut };
}

/** ReLU → 1×1 conv → BN. */
function reluConvBN(cIn: number, cOut: number, size: Size, affine: boolean): Cost {
  return add(conv(1, cIn, cOut, 1, size), bn(cOut, affine));
}

/** Two 1×1 stride-2 convs (C_in → C_out/2) on the even and the odd grid, BN. */
function factorizedReduce(cIn: number, cOut: number, [h, w]: Size, affine: boolean): { cost: Cost; size: Size } {
  const even: Size = [Math.ceil(h / 2), Math.ceil(w / 2)];
  const odd: Size = [Math.floor(h / 2), Math.floor(w / 2)];
  return { cost: add(conv(1, cIn, cOut / 2, 1, even), conv(1, cIn, cOut / 2, 1, odd), bn(cOut, affine)), size: even };
}

/** ReLU → depthwise k×k (dilation d) → pointwise → BN. */
function dilConv(C: number, k: number, stride: number, pad: number, dilation: number, size: Size, affine: boolean): { cost: Cost; size: Size } {
  const out = outSize(size, k, stride, pad, dilation);
  return { cost: add(conv(k, C, C, C, out), conv(1, C, C, 1, out), bn(C, affine)), size: out };
}

/** One primitive at C channels on an input of `size`, mirroring the OPS table of operations.ts. */
export function opCost(op: Primitive, C: number, stride: 1 | 2, size: Size, affine: boolean): { cost: Cost; size: Size } {
  switch (op) {
    case 'none':
    case 'max_pool_3x3':
    case 'avg_pool_3x3':
      return { cost: zero(), size: outSize(size, 3, stride, 1) };
    case 'skip_connect':
      return stride === 1 ? { cost: zero(), size } : factorizedReduce(C, C, size, affine);
    case 'sep_conv_3x3':
    case 'sep_conv_5x5': {
      const k = op === 'sep_conv_3x3' ? 3 : 5;
      const a = dilConv(C, k, stride, (k - 1) / 2, 1, size, affine);
      const b = dilConv(C, k, 1, (k - 1) / 2, 1, a.size, affine);
      return { cost: add(a.cost, b.cost), size: b.size };
    }
    case 'dil_conv_3x3':
      return dilConv(C, 3, stride, 2, 2, size, affine);
    case 'dil_conv_5x5':
      return dilConv(C, 5, stride, 4, 2, size, affine);
  }
}

/** The stem's cost and the sizes of the two cell inputs it produces (s0, s1). */
function stemCost(stem: 'cifar' | 'imagenet', cIn: number, C: number, stemMultiplier: number, size: Size): { cost: Cost; s0: Size; s1: Size; out: number } {
  if (stem === 'cifar') {
    const out = stemMultiplier * C;
    return { cost: add(conv(3, cIn, out, 1, size), bn(out, true)), s0: size, s1: size, out };
  }
  const a = outSize(size, 3, 2, 1);
  const b = outSize(a, 3, 2, 1);
  const c = outSize(b, 3, 2, 1);
  const cost = add(conv(3, cIn, C / 2, 1, a), bn(C / 2, true), conv(3, C / 2, C, 1, b), bn(C, true), conv(3, C, C, 1, c), bn(C, true));
  return { cost, s0: b, s1: c, out: C };
}

/** The auxiliary head on a map of `size` with C channels. */
export function auxiliaryCost(kind: AuxiliaryKind, C: number, numClasses: number, size: Size): Cost {
  const { pooled, out } = auxiliaryGeometry(kind, size[0], size[1]);
  return add(conv(1, C, 128, 1, pooled), bn(128, true), conv(2, 128, 768, 1, out), bn(768, AUXILIARY_GEOMETRY[kind].bn2), linear(768, numClasses));
}

/** Preprocessing of both cell inputs to C channels at s1's size. */
function preprocessCost(cPrevPrev: number, cPrev: number, C: number, reductionPrev: boolean, s0: Size, s1: Size, affine: boolean): Cost {
  const pre0 = reductionPrev ? factorizedReduce(cPrevPrev, C, s0, affine).cost : reluConvBN(cPrevPrev, C, s0, affine);
  return add(pre0, reluConvBN(cPrev, C, s1, affine));
}

/** Parameters counted from the built network's variables: without and with the auxiliary head. */
export function countParameters(params: Params): { parameters: number; withAuxiliary: number } {
  return { parameters: params.count((name) => !name.startsWith(AUXILIARY_PREFIX)), withAuxiliary: params.count() };
}

/** Analytic counts of the final network `o` would build (no tensors needed). */
export function evalNetworkCost(o: EvalNetworkOptions): NetworkCount {
  const plan = evalNetworkPlan(o);
  const stem = stemCost(o.stem, o.inputShape[2], o.channels, o.stemMultiplier ?? 3, [o.inputShape[0], o.inputShape[1]]);
  let [s0, s1] = [stem.s0, stem.s1];
  const cells: CellCount[] = [];
  let auxiliary: Cost | null = null;
  for (const c of plan.cells) {
    const cost = preprocessCost(c.cPrevPrev, c.cPrev, c.C, c.reductionPrev, s0, s1, true);
    const { edges } = cellGenotype(o.genotype, c.reduction);
    // States 0 and 1 are at s1's size; nodes at the cell's output size (every strided op halves, rounding up).
    const outS: Size = c.reduction ? outSize(s1, 3, 2, 1) : s1;
    for (const { op, input } of edges) {
      const stride: 1 | 2 = c.reduction && input < 2 ? 2 : 1;
      add(cost, opCost(op, c.C, stride, input < 2 ? s1 : outS, true).cost);
    }
    cells.push({ index: c.index, reduction: c.reduction, cPrevPrev: c.cPrevPrev, cPrev: c.cPrev, C: c.C, out: c.out, size: outS, ...cost });
    if (o.auxiliary && c.index === plan.auxiliaryCell) auxiliary = auxiliaryCost(o.stem, c.out, o.numClasses, outS);
    [s0, s1] = [s1, outS];
  }
  const classifier = linear(plan.classifierIn, o.numClasses);
  return total('eval', o.inputShape, o.numClasses, stem.cost, cells, auxiliary, classifier);
}

/** Analytic counts of the supernet `o` would build: every op of the space on every mixed edge. */
export function searchNetworkCost(o: SearchNetworkOptions): NetworkCount {
  const { space } = o;
  const C0 = space.channels;
  const stem = stemCost(o.stem, o.inputShape[2], C0, o.stemMultiplier, [o.inputShape[0], o.inputShape[1]]);
  let [s0, s1] = [stem.s0, stem.s1];
  let [cPrevPrev, cPrev, C] = [stem.out, stem.out, C0];
  let reductionPrev = o.stem === 'imagenet';
  const reductions = reductionIndices(space.cells);
  const cells: CellCount[] = [];
  for (let i = 0; i < space.cells; i++) {
    const reduction = reductions.includes(i);
    if (reduction) C *= 2;
    // All supernet BN is non-affine (no parameters); pooling's extra BN adds nothing either.
    const cost = preprocessCost(cPrevPrev, cPrev, C, reductionPrev, s0, s1, false);
    const outS: Size = reduction ? outSize(s1, 3, 2, 1) : s1;
    for (let n = 0; n < space.nodes; n++) {
      for (let input = 0; input < n + 2; input++) {
        const stride: 1 | 2 = reduction && input < 2 ? 2 : 1;
        for (const op of space.ops) add(cost, opCost(op, C, stride, input < 2 ? s1 : outS, false).cost);
      }
    }
    const out = space.nodes * C;
    cells.push({ index: i, reduction, cPrevPrev, cPrev, C, out, size: outS, ...cost });
    [s0, s1] = [s1, outS];
    [cPrevPrev, cPrev] = [cPrev, out];
    reductionPrev = reduction;
  }
  return total('supernet', o.inputShape, o.numClasses, stem.cost, cells, null, linear(cPrev, o.numClasses));
}

function total(kind: NetworkCount['kind'], inputShape: readonly [number, number, number], numClasses: number, stem: Cost, cells: CellCount[], auxiliary: Cost | null, classifier: Cost): NetworkCount {
  const main = add(zero(), stem, ...cells, classifier);
  return {
    kind,
    inputShape: [inputShape[0], inputShape[1], inputShape[2]],
    numClasses,
    parameters: main.params,
    parametersWithAuxiliary: main.params + (auxiliary?.params ?? 0),
    multiplyAdds: main.madds,
    auxiliaryMultiplyAdds: auxiliary?.madds ?? 0,
    breakdown: { stem, cells, auxiliary, classifier },
  };
}

/** Takes the parameters from the real variables; the analytic model must agree or it is a bug here. */
function withRealParameters(analytic: NetworkCount, params: Params): NetworkCount {
  const real = countParameters(params);
  if (real.parameters !== analytic.parameters || real.withAuxiliary !== analytic.parametersWithAuxiliary) {
    throw new Error(
      `count model out of step with the built network: ${analytic.parameters}/${analytic.parametersWithAuxiliary} analytic vs ${real.parameters}/${real.withAuxiliary} built`,
    );
  }
  return { ...analytic, parameters: real.parameters, parametersWithAuxiliary: real.withAuxiliary };
}

/** Counts of a built final network: parameters from its variables, multiply-adds at its input shape. */
export function countEvalNetwork(net: EvalNetwork): NetworkCount {
  return withRealParameters(evalNetworkCost(net.options), net.params);
}

/** Counts of a built supernet (α lives in Architecture, so it is never among these variables). */
export function countSearchNetwork(net: SearchNetwork): NetworkCount {
  return withRealParameters(searchNetworkCost(net.options), net.params);
}
