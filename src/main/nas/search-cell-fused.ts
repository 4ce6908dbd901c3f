// A search cell's forward and hand-written backward as ONE custom gradient, on the wasm SIMD kernels.
//
// Same mathematics as SearchCell's layer-by-layer path (which tfjs differentiates op by op), arranged for
// the wasm backend: every ReLU is folded into the convolution that reads it; a node is one weighted-sum
// kernel over all its op outputs; each batch norm is two statistics passes and one normalising pass;
// the backward computes a node's α gradients and every op's batch-norm sums in one pass over its
// gradient; a state's gradient is accumulated in place by the kernels that produce it. It keeps only
// what the backward needs (batch-normalised outputs and depthwise outputs) and no tfjs copies.
// Mixed edge of node n from state i:  y_n = Σ_i Σ_j w_ij·o_ij(x_i)  (w = softmax(α) row of edge (n, i)).
import * as tf from '@tensorflow/tfjs';
import { nodeEdgeOffset, type Primitive } from '../../shared/search-space';
import { collective, sumAcrossPeers, sumAllAcrossPeers } from './collective';
import * as K from './kernels/wasm-ops';
import { recordingGradients, savedTensors, type SavedTensors } from './kernels/saved-tensors';
import type { ForwardContext, Layer } from './module';
import { BatchNorm, DilConv, FactorizedReduce, Identity, Pool, ReLUConvBN, SepConv, Sequence } from './operations';
import type { CellProbe } from './search-cell';

type T4 = tf.Tensor4D;

interface ConvStage {
  dw: tf.Variable;
  pw: tf.Variable;
  g: K.DwGeometry;
  bn: BatchNorm;
}

type OpSpec =
  | { kind: 'skip'; column: number; op: Primitive }
  | { kind: 'pool'; column: number; op: Primitive; pool: 'max' | 'avg'; s: 1 | 2; bn: BatchNorm }
  | { kind: 'fr'; column: number; op: Primitive; w1: tf.Variable; w2: tf.Variable; bn: BatchNorm }
  | { kind: 'conv'; column: number; op: Primitive; stages: ConvStage[] };

type PreSpec = { kind: 'rcb'; w: tf.Variable; bn: BatchNorm } | { kind: 'fr'; w1: tf.Variable; w2: tf.Variable; bn: BatchNorm };

export interface FusedCellSpec {
  index: number;
  nodes: number;
  C: number;
  cPrevPrev: number;
  cPrev: number;
  /** α columns (the space's op count, `none` included). */
  columns: number;
  pre: [PreSpec, PreSpec];
  /** By edge index (nodeEdgeOffset(n) + input). */
  edges: { ops: OpSpec[] }[];
  nodeNorms: BatchNorm[];
  /** The custom gradient's variable inputs, in a fixed order. */
  variables: tf.Variable[];
  /** Whether a FactorizedReduce appears (its halves must be multiples of 4 channels too). */
  halves: boolean;
}

const nonAffine = (bn: BatchNorm) => !bn.gamma && !bn.beta;

function preSpec(layer: Layer): PreSpec | null {
  if (layer instanceof ReLUConvBN && nonAffine(layer.bn)) return { kind: 'rcb', w: layer.w, bn: layer.bn };
  if (layer instanceof FactorizedReduce && nonAffine(layer.bn)) return { kind: 'fr', w1: layer.w1, w2: layer.w2, bn: layer.bn };
  return null;
}

function stage(d: DilConv): ConvStage | null {
  if (!nonAffine(d.bn)) return null;
  return { dw: d.dw, pw: d.pw, g: { k: d.k, s: d.stride, d: d.dilation, pad: d.pad }, bn: d.bn };
}

function opSpec(column: number, op: Primitive, layer: Layer): OpSpec | null {
  if (layer instanceof Identity) return { kind: 'skip', column, op };
  if (layer instanceof FactorizedReduce) return nonAffine(layer.bn) ? { kind: 'fr', column, op, w1: layer.w1, w2: layer.w2, bn: layer.bn } : null;
  if (layer instanceof Sequence && layer.layers.length === 2) {
    const [pool, bn] = layer.layers;
    if (pool instanceof Pool && bn instanceof BatchNorm && nonAffine(bn)) return { kind: 'pool', column, op, pool: pool.kind, s: pool.stride, bn };
    return null;
  }
  if (layer instanceof SepConv) {
    const a = stage(layer.first);
    const b = stage(layer.second);
    return a && b ? { kind: 'conv', column, op, stages: [a, b] } : null;
  }
  if (layer instanceof DilConv) {
    const a = stage(layer);
    return a ? { kind: 'conv', column, op, stages: [a] } : null;
  }
  return null;
}

/** The fused description of a cell, or null when it holds a layer the fused path does not cover. */
export function fusedCellSpec(cell: {
  index: number;
  nodes: number;
  C: number;
  cPrevPrev: number;
  cPrev: number;
  columns: number;
  pre0: Layer;
  pre1: Layer;
  edges: { ops: { column: number; op: Primitive; layer: Layer }[] }[];
  nodeNorms: BatchNorm[];
}): FusedCellSpec | null {
  const pre0 = preSpec(cell.pre0);
  const pre1 = preSpec(cell.pre1);
  if (!pre0 || !pre1 || cell.nodeNorms.some((b) => !nonAffine(b))) return null;
  const edges: FusedCellSpec['edges'] = [];
  for (const e of cell.edges) {
    const ops: OpSpec[] = [];
    for (const { column, op, layer } of e.ops) {
      const s = opSpec(column, op, layer);
      if (!s) return null;
      ops.push(s);
    }
    edges.push({ ops });
  }
  const variables: tf.Variable[] = [];
  for (const p of [pre0, pre1]) variables.push(...(p.kind === 'rcb' ? [p.w] : [p.w1, p.w2]));
  for (const e of edges)
    for (const o of e.ops) {
      if (o.kind === 'fr') variables.push(o.w1, o.w2);
      if (o.kind === 'conv') for (const st of o.stages) variables.push(st.dw, st.pw);
    }
  const halves = pre0.kind === 'fr' || edges.some((e) => e.ops.some((o) => o.kind === 'fr'));
  return { ...cell, pre: [pre0, pre1], edges, variables, halves };
}

/** Whether the wasm kernels can run this cell now (active backend, channel counts). */
export function fusedCellFits(spec: FusedCellSpec): boolean {
  return K.wasmKernelsFit(spec.C, spec.cPrevPrev, spec.cPrev, spec.halves ? spec.C / 2 : 4);
}

// ── batch norm (non-affine, PyTorch semantics) ────────────────────────────────────────────────────────

interface BnRecord {
  mean: Float32Array;
  rstd: Float32Array;
  /** Values per channel (N·H·W, over all data-parallel peers). */
  m: number;
}

/**
 * x̂ = (z − mean)·rstd with batch statistics (training: also moves the running ones) or the running ones.
 * Batch statistics span the data-parallel peers' slices too (synchronised batch norm).
 */
function bnForward(z: T4, bn: BatchNorm, training: boolean): { y: T4; rec: BnRecord } {
  const C = z.shape[3];
  let m = z.size / C;
  const mean = new Float32Array(C);
  const rstd = new Float32Array(C);
  if (training) {
    const [sums, count] = sumAllAcrossPeers([K.channelTotals(z, 'sum'), Float64Array.of(m)]);
    m = count![0]!;
    for (let c = 0; c < C; c++) mean[c] = sums![c]! / m;
    const sq = sumAcrossPeers(K.channelTotals(z, 'sqdiff', mean));
    const rm = bn.runningMean.dataSync();
    const rv = bn.runningVar.dataSync();
    const k = BatchNorm.MOMENTUM;
    const newMean = new Float32Array(C);
    const newVar = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      const v = sq[c]! / m;
      rstd[c] = 1 / Math.sqrt(Math.fround(v) + BatchNorm.EPS);
      newMean[c] = (1 - k) * rm[c]! + k * mean[c]!;
      newVar[c] = (1 - k) * rv[c]! + k * v * (m / (m - 1));
    }
    bn.runningMean.assign(tf.tensor1d(newMean));
    bn.runningVar.assign(tf.tensor1d(newVar));
  } else {
    const rm = bn.runningMean.dataSync();
    const rv = bn.runningVar.dataSync();
    for (let c = 0; c < C; c++) {
      mean[c] = rm[c]!;
      rstd[c] = 1 / Math.sqrt(rv[c]! + BatchNorm.EPS);
    }
  }
  return { y: K.normalize(z, mean, rstd), rec: { mean, rstd, m } };
}

/**
 * dz for x̂ = BN(z) with upstream gradient scale·dy: scale·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)).
 * `sumDy` / `sumDyX` may be given when already computed (the node pass computes them for all ops at once).
 */
function bnBackward(dy: T4, xhat: T4, rec: BnRecord, scale = 1, sumDy?: Float64Array, sumDyX?: Float64Array): T4 {
  const C = dy.shape[3];
  let s1 = sumDy;
  let s2 = sumDyX;
  if (!s1 || !s2) [s1, s2] = sumAllAcrossPeers([K.channelTotals(dy, 'sum'), K.channelTotals(dy, 'dots', [xhat])[0]!]) as [Float64Array, Float64Array];
  const c1 = new Float32Array(C);
  const c2 = new Float32Array(C);
  const c3 = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const a = scale * rec.rstd[c]!;
    c1[c] = a;
    c2[c] = (-a * s2[c]!) / rec.m;
    c3[c] = (-a * s1[c]!) / rec.m;
  }
  return K.affine3(dy, xhat, c1, c2, c3);
}

/** tf.tidy for results that carry plain values beside their tensors (only the tensors are tracked). */
function scoped<T>(f: () => T): T {
  return tf.tidy(f as unknown as () => tf.TensorContainer) as unknown as T;
}

// ── forward ───────────────────────────────────────────────────────────────────────────────────────────

interface StageRecord {
  /** The depthwise output (the pointwise conv's input), unless the backward recomputes it. */
  a?: T4;
  xhat: T4;
  rec: BnRecord;
}

interface OpRecord {
  /** The op's output (batch-normalised; for skip, the input state itself), unless the backward recomputes it. */
  out?: T4;
  rec?: BnRecord;
  stages?: StageRecord[];
}

interface ForwardRecord {
  out: T4;
  w: Float32Array;
  s0in: T4;
  s1in: T4;
  states: T4[];
  pre: [BnRecord, BnRecord];
  ops: OpRecord[][];
  nodes: (BnRecord | null)[];
}

function preForward(p: PreSpec, x: T4, C: number, training: boolean): { y: T4; rec: BnRecord } {
  return scoped(() => {
    let z: T4;
    if (p.kind === 'rcb') z = K.pwForward(x, p.w as tf.Tensor2D, { relu: true });
    else {
      z = K.pwForward(x, p.w1 as tf.Tensor2D, { relu: true, sub: 0, cTotal: C });
      z = K.pwForward(x, p.w2 as tf.Tensor2D, { relu: true, sub: 1, into: z, cOff: C / 2 });
    }
    return bnForward(z, p.bn, training);
  });
}

/**
 * Whether the backward recomputes, instead of keeping, the depthwise outputs (one depthwise conv each)
 * and the pooling ops' outputs (a pool and a normalising pass): only where activations are large
 * (memory ≈ 6 activations per mixed edge instead of 14 — the DARTS network at batch 64 fits the 4 GB
 * wasm heap with room to spare); small ones are cheaper kept.
 */
let recomputeMinBytes = 2 * 1024 * 1024;
/** Judged on the whole batch's activation (data-parallel peers hold shares of it), so peers keep what one process would. */
const recompute = (x: tf.Tensor) => x.size * 4 * (collective()?.size ?? 1) >= recomputeMinBytes;

let weightGradients = true;

/**
 * Whether the backward computes the cell's weight gradients (on by default). The α step differentiates
 * α only: tfjs would still call the whole custom gradient and drop the weight gradients, a third of the
 * backward's work; switched off there, they come back as zeros instead.
 */
export function setWeightGradients(on: boolean): void {
  weightGradients = on;
}

/** Activation size from which the backward recomputes (tests: 0 = always, Infinity = never). */
export function setRecomputeThreshold(bytes: number): void {
  recomputeMinBytes = bytes;
}

function opForward(o: OpSpec, x: T4, C: number, training: boolean, keep: SavedTensors | null): OpRecord {
  const own = <T extends tf.Tensor>(t: T) => (keep ? keep.own(t) : t);
  if (o.kind === 'skip') return { out: x };
  if (o.kind === 'pool') {
    const r = scoped(() => bnForward(K.pool(x, o.pool, 3, o.s, 1), o.bn, training));
    // Recomputed: the caller disposes the output after the node sum.
    return { out: keep && !recompute(x) ? own(r.y) : r.y, rec: r.rec };
  }
  if (o.kind === 'fr') {
    const r = scoped(() => {
      let z = K.pwForward(x, o.w1 as tf.Tensor2D, { relu: true, sub: 0, cTotal: C });
      z = K.pwForward(x, o.w2 as tf.Tensor2D, { relu: true, sub: 1, into: z, cOff: C / 2 });
      return bnForward(z, o.bn, training);
    });
    return { out: own(r.y), rec: r.rec };
  }
  const stages: StageRecord[] = [];
  let h = x;
  for (const st of o.stages) {
    const a = K.dwForward(h, st.dw as T4, st.g, true);
    const r = scoped(() => bnForward(K.pwForward(a, st.pw as tf.Tensor2D, { relu: false }), st.bn, training));
    const keepA = keep !== null && !recompute(a);
    stages.push({ a: keepA ? own(a) : undefined, xhat: own(r.y), rec: r.rec });
    if (!keepA) a.dispose();
    h = r.y;
  }
  return { out: h, rec: stages[stages.length - 1]!.rec, stages };
}

/** A pooling op's output in the backward: the pool again, normalised with the forward's batch statistics. */
function poolOutput(o: Extract<OpSpec, { kind: 'pool' }>, x: T4, rec: BnRecord): T4 {
  return tf.tidy(() => K.normalize(K.pool(x, o.pool, 3, o.s, 1), rec.mean, rec.rstd));
}

function forward(spec: FusedCellSpec, s0in: T4, s1in: T4, weights: tf.Tensor2D, ctx: ForwardContext, probe: CellProbe | undefined, keep: SavedTensors | null): ForwardRecord {
  const { C, nodes } = spec;
  const training = ctx.training;
  const w = weights.dataSync() as Float32Array;
  const p0 = preForward(spec.pre[0], s0in, C, training);
  const p1 = preForward(spec.pre[1], s1in, C, training);
  const states: T4[] = [p0.y, p1.y];
  probe?.inputs?.(spec.index, p0.y, p1.y);
  const ops: OpRecord[][] = [];
  const nodeRecs: (BnRecord | null)[] = [];
  for (let n = 0; n < nodes; n++) {
    const terms: tf.Tensor[] = [];
    const ws: number[] = [];
    for (let input = 0; input < n + 2; input++) {
      const e = nodeEdgeOffset(n) + input;
      const recs: OpRecord[] = [];
      for (const o of spec.edges[e]!.ops) {
        const r = opForward(o, states[input]!, C, training, keep);
        if (probe?.wantsOps) probe.op?.(spec.index, n, input, o.op, r.out!);
        recs.push(r);
        terms.push(r.out!);
        ws.push(w[e * spec.columns + o.column]!);
      }
      ops[e] = recs;
    }
    const sum = K.weightedSum(terms, ws) as T4;
    probe?.node?.(spec.index, n, sum);
    if (keep) {
      for (let input = 0; input < n + 2; input++) {
        const e = nodeEdgeOffset(n) + input;
        spec.edges[e]!.ops.forEach((o, i) => {
          if (o.kind !== 'pool' || !recompute(states[input]!)) return;
          ops[e]![i]!.out!.dispose();
          ops[e]![i]!.out = undefined;
        });
      }
    }
    if (spec.nodeNorms.length) {
      const r = bnForward(sum, spec.nodeNorms[n]!, training);
      if (!probe) sum.dispose();
      states.push(r.y);
      nodeRecs.push(r.rec);
    } else {
      states.push(sum);
      nodeRecs.push(null);
    }
  }
  if (keep) for (const s of states) keep.own(s);
  const out = K.concatChannels(states.slice(2));
  return {
    out,
    w,
    s0in: keep ? keep.alias(s0in) : s0in,
    s1in: keep ? keep.alias(s1in) : s1in,
    states,
    pre: [p0.rec, p1.rec],
    ops,
    nodes: nodeRecs,
  };
}

// ── backward ──────────────────────────────────────────────────────────────────────────────────────────

function backward(spec: FusedCellSpec, f: ForwardRecord, dOut: T4): tf.Tensor[] {
  const { C, nodes, columns } = spec;
  const grads = new Map<tf.Variable, tf.Tensor>();
  const dAlpha = new Float32Array(spec.edges.length * columns);
  const dstates: (T4 | undefined)[] = new Array(nodes + 2);
  for (let n = 0; n < nodes; n++) dstates[n + 2] = K.sliceChannels(dOut, n * C, C);
  /** dstates[i] ← its value plus a contribution (kernels add in place; the first one writes). */
  const add = (i: number, produce: (into: T4 | undefined) => T4) => {
    const before = dstates[i];
    const after = produce(before);
    dstates[i] = tf.keep(after);
    if (before && before !== after) before.dispose();
  };

  for (let n = nodes - 1; n >= 0; n--) {
    const k = n + 2;
    const g = dstates[k]!;
    const rec = f.nodes[n];
    const dsum = rec ? bnBackward(g, f.states[k]!, rec) : g;
    // One pass over dsum: Σ dsum and, for every op output o, Σ dsum·o per channel.
    const outs: T4[] = [];
    const recomputed: T4[] = [];
    for (let input = 0; input < n + 2; input++) {
      const e = nodeEdgeOffset(n) + input;
      spec.edges[e]!.ops.forEach((o, i) => {
        const r = f.ops[e]![i]!;
        if (!r.out && o.kind === 'pool') recomputed.push((r.out = poolOutput(o, f.states[input]!, r.rec!)));
        outs.push(r.out!);
      });
    }
    // Local dot products give this peer's share of the α gradients (summed with the other gradients
    // later); the batch-norm backward needs them over all peers.
    const dotsLocal = K.channelTotals(dsum, 'dots', outs);
    const global = sumAllAcrossPeers([...dotsLocal, K.channelTotals(dsum, 'sum')]);
    const dots = global.slice(0, outs.length);
    const sumD = global[outs.length]!;
    let j = 0;
    for (let input = 0; input < n + 2; input++) {
      const e = nodeEdgeOffset(n) + input;
      const x = f.states[input]!;
      const [, H, W] = x.shape;
      spec.edges[e]!.ops.forEach((o, oi) => {
        const r = f.ops[e]![oi]!;
        const local = dotsLocal[j]!;
        const S = dots[j++]!;
        let total = 0;
        for (let c = 0; c < C; c++) total += local[c]!;
        dAlpha[e * columns + o.column] = total;
        const wv = f.w[e * columns + o.column]!;
        if (o.kind === 'skip') {
          add(input, (into) => K.weightedSum([dsum], [wv], into) as T4);
          return;
        }
        // Per op in a tidy (its temporaries go at once); the tidy returns the op's weight gradients.
        const vars: tf.Variable[] = [];
        const gs = tf.tidy(() => {
          const out: tf.Tensor[] = [];
          const put = (v: tf.Variable, t: () => tf.Tensor) => {
            if (!weightGradients) return;
            vars.push(v);
            out.push(t());
          };
          const gz = bnBackward(dsum, r.out!, r.rec!, wv, sumD, S);
          if (o.kind === 'pool') add(input, (into) => K.poolGrad(x, gz, o.pool, 3, o.s, 1, into));
          else if (o.kind === 'fr') {
            put(o.w1, () => K.pwWeightGrad(x, gz, C / 2, { relu: true, sub: 0, dyOff: 0 }));
            put(o.w2, () => K.pwWeightGrad(x, gz, C / 2, { relu: true, sub: 1, dyOff: C / 2 }));
            add(input, (into) => K.pwInputGrad(gz, o.w1 as tf.Tensor2D, H, W, { mask: x, sub: 0, dyOff: 0, into }));
            add(input, (into) => K.pwInputGrad(gz, o.w2 as tf.Tensor2D, H, W, { mask: x, sub: 1, dyOff: C / 2, into }));
          } else {
            let gzt = gz;
            for (let t = o.stages.length - 1; t >= 0; t--) {
              const st = o.stages[t]!;
              const sr = r.stages![t]!;
              const hin = t === 0 ? x : r.stages![t - 1]!.xhat;
              // The depthwise output is needed only for the pointwise weight gradient.
              const [, Ha, Wa] = sr.xhat.shape;
              put(st.pw, () => K.pwWeightGrad(sr.a ?? K.dwForward(hin, st.dw as T4, st.g, true), gzt, C, { relu: false }));
              const da = K.pwInputGrad(gzt, st.pw as tf.Tensor2D, Ha, Wa);
              put(st.dw, () => K.dwFilterGrad(hin, da, st.g, true));
              const [, Hi, Wi] = hin.shape;
              if (t > 0) {
                const prev = r.stages![t - 1]!;
                gzt = bnBackward(K.dwInputGrad(da, st.dw as T4, st.g, Hi, Wi, { mask: hin }), prev.xhat, prev.rec);
              } else add(input, (into) => K.dwInputGrad(da, st.dw as T4, st.g, Hi, Wi, { mask: hin, into }));
            }
          }
          return out;
        });
        vars.forEach((v, i) => grads.set(v, gs[i]!));
      });
    }
    tf.dispose(recomputed);
    if (dsum !== g) dsum.dispose();
    g.dispose();
    dstates[k] = undefined;
  }

  // Preprocessing: x̂ = BN(conv1×1(relu(input))) (or FactorizedReduce) → gradient of the cell input.
  const dIn = ([0, 1] as const).map((i) => {
    const p = spec.pre[i];
    const [dx, ...gs] = tf.tidy(() => {
      const xin = i === 0 ? f.s0in : f.s1in;
      const [, H, W] = xin.shape;
      const g = dstates[i] ?? (tf.zerosLike(f.states[i]!) as T4);
      const gz = bnBackward(g, f.states[i]!, f.pre[i]);
      if (p.kind === 'rcb') return [K.pwInputGrad(gz, p.w as tf.Tensor2D, H, W, { mask: xin }), ...(weightGradients ? [K.pwWeightGrad(xin, gz, C, { relu: true })] : [])];
      const d = K.pwInputGrad(gz, p.w1 as tf.Tensor2D, H, W, { mask: xin, sub: 0, dyOff: 0 });
      return [
        K.pwInputGrad(gz, p.w2 as tf.Tensor2D, H, W, { mask: xin, sub: 1, dyOff: C / 2, into: d }),
        ...(weightGradients ? [K.pwWeightGrad(xin, gz, C / 2, { relu: true, sub: 0, dyOff: 0 }), K.pwWeightGrad(xin, gz, C / 2, { relu: true, sub: 1, dyOff: C / 2 })] : []),
      ];
    });
    if (weightGradients) (p.kind === 'rcb' ? [p.w] : [p.w1, p.w2]).forEach((v, j) => grads.set(v, gs[j]!));
    return dx!;
  });
  for (const d of dstates) d?.dispose();
  const out: tf.Tensor[] = [dIn[0]!, dIn[1]!, tf.tensor2d(dAlpha, [spec.edges.length, columns])];
  for (const v of spec.variables) out.push(grads.get(v) ?? tf.zerosLike(v));
  return out;
}

/**
 * The cell on the wasm kernels. Under a gradient tape in training mode it is one tf.customGrad whose
 * inputs are the two cell inputs, this cell type's softmax(α) matrix and the cell's variables; otherwise
 * a plain forward (evaluation, discretization probes).
 */
export function fusedCellForward(spec: FusedCellSpec, s0in: T4, s1in: T4, weights: tf.Tensor2D, ctx: ForwardContext, probe?: CellProbe): T4 {
  if (!(recordingGradients() && ctx.training)) {
    return scoped(() => forward(spec, s0in, s1in, weights, ctx, probe, null).out);
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const keep = savedTensors();
    const record = forward(spec, args[0] as T4, args[1] as T4, args[2] as tf.Tensor2D, ctx, probe, keep);
    const gradFunc = (dy: tf.Tensor) => {
      try {
        return backward(spec, record, dy as T4);
      } finally {
        keep.release();
      }
    };
    return { value: record.out, gradFunc };
  });
  return op(s0in, s1in, weights, ...spec.variables) as T4;
}
