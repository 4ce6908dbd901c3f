// What a retrain step needs in memory, estimated before the first step, so a job that cannot fit refuses up front.
import type { Genotype } from '../../shared/genotype';
import type { Primitive } from '../../shared/search-space';
import { cellGenotype } from './eval-cell';
import { evalNetworkPlan, evalNetworkSizes, type EvalNetworkOptions } from './eval-network';

/**
 * The wasm backend's heap is one 32-bit WebAssembly memory: tfjs-backend-wasm 4.22 grows it to 4 GiB − 64 KiB
 * at most (its getHeapMax), and a tensor that does not fit there cannot be allocated at all.
 */
export const WASM_HEAP_MAX_BYTES = 4294901760;

/**
 * Bytes of heap per float of activation the forward pass produces, calibrated on the wasm backend: tfjs keeps
 * every forward output, a copy of every tensor an op saves for its gradient (wasm's Identity copies) and the
 * gradient of every intermediate until the backward pass ends, and the heap grows in steps. Measured (one
 * step with the auxiliary head and drop-path on 32×32×3): DARTS_V2 at 20 cells × 36 channels, heap 1381 MiB at
 * batch 2 and 2543 MiB at batch 4 → 581 MiB per image for 29.4 M floats (20.7 bytes per float); DARTS_V1 at
 * 8 × 16, 900 MiB at batch 8 and 1686 MiB at batch 16 → 98 MiB per image for 4.77 M floats (21.6). 24 leaves
 * room for op mixes that keep more per float.
 */
export const WASM_BYTES_PER_ACTIVATION_FLOAT = 24;
/** The batch-independent part, measured at the intercept of the two points above (≈ 219 MiB): runtime, weights, momenta, scratch. */
export const WASM_FIXED_BYTES = 256 * 2 ** 20;

type Area = number;

/** Floats of the maps one op of the final cell produces per image (forward outputs only). */
function opFloats(op: Primitive, C: number, stride: 1 | 2, aIn: Area, aOut: Area, dropPath: boolean): number {
  // relu(x) at the input, then depthwise, pointwise, BN at the output; SepConv is two of them.
  const dil = aIn * C + 3 * aOut * C;
  const drop = dropPath ? aOut * C : 0;
  switch (op) {
    case 'sep_conv_3x3':
    case 'sep_conv_5x5':
      return dil + (aOut * C + 3 * aOut * C) + drop;
    case 'dil_conv_3x3':
    case 'dil_conv_5x5':
      return dil + drop;
    case 'max_pool_3x3':
    case 'avg_pool_3x3':
      // The padded copy (about the input's size) and the pooled map.
      return aIn * C + aOut * C + drop;
    case 'skip_connect':
      // Identity: nothing; strided: FactorizedReduce (relu, two subsampled grids, two half convs, concat, BN).
      return stride === 1 ? 0 : aIn * C + 4 * aOut * C + drop;
    case 'none':
      return aOut * C;
  }
}

/**
 * Activation floats per image of one training forward pass of the final network: every map the stem, the
 * cells (preprocessing, each kept edge's op, drop-path masks, node sums, concat) and the auxiliary head's
 * input relu produce. The heap a step needs grows with this, per image.
 */
export function activationFloats(o: Pick<EvalNetworkOptions, 'genotype' | 'cells' | 'channels' | 'stem' | 'stemMultiplier' | 'inputShape' | 'auxiliary'>, dropPath = true): number {
  const plan = evalNetworkPlan(o);
  const sizes = evalNetworkSizes(o);
  const area = (s: [number, number]) => s[0] * s[1];
  const [ih, iw, ic] = o.inputShape;
  // Input, then the stem's conv and BN (the ImageNet stem's maps are smaller than the CIFAR one's: same bound).
  let total = ih * iw * ic + 2 * area(sizes.stem) * plan.stemOut;
  const stateArea: number[] = [area(sizes.stem), area(sizes.stem)];
  plan.cells.forEach((c, i) => {
    const aPrevPrev = stateArea[i]!;
    const aIn = stateArea[i + 1]!;
    const aOut = area(sizes.cells[i]!);
    const C = c.C;
    // preprocess0: FactorizedReduce after a reduction (c_{k-2} at twice the resolution), else ReLUConvBN.
    total += c.reductionPrev ? aPrevPrev * c.cPrevPrev + 2 * aIn * c.cPrevPrev + 3 * aIn * C : aPrevPrev * c.cPrevPrev + 2 * aIn * C;
    total += aIn * c.cPrev + 2 * aIn * C;
    const g: Genotype = o.genotype;
    const { edges, concat } = cellGenotype(g, c.reduction);
    edges.forEach((e) => {
      const stride: 1 | 2 = c.reduction && e.input < 2 ? 2 : 1;
      total += opFloats(e.op, C, stride, e.input < 2 ? aIn : aOut, aOut, dropPath);
    });
    total += (edges.length / 2) * aOut * C + concat.length * aOut * C;
    stateArea.push(aOut);
  });
  if (o.auxiliary) total += area(sizes.cells[plan.auxiliaryCell]!) * plan.auxiliaryChannels;
  return total;
}

export interface RetrainMemory {
  /** Estimated heap bytes one training step needs at `batch`. */
  bytes: number;
  perImage: number;
  fixed: number;
  /** The largest batch whose estimate stays within `limit` (0: not even one image). */
  batchThatFits: number;
  limit: number;
  fits: boolean;
}

/** The wasm backend's heap estimate for one retrain step at `batch` images. */
export function wasmRetrainMemory(o: Parameters<typeof activationFloats>[0], batch: number): RetrainMemory {
  const perImage = activationFloats(o) * WASM_BYTES_PER_ACTIVATION_FLOAT;
  const fixed = WASM_FIXED_BYTES;
  const limit = WASM_HEAP_MAX_BYTES;
  const bytes = fixed + perImage * batch;
  // Batch norm in training needs two values per channel; the auxiliary head's last BN sees one per image.
  const batchThatFits = Math.max(0, Math.floor((limit - fixed) / perImage));
  return { bytes, perImage, fixed, batchThatFits, limit, fits: bytes <= limit };
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** Why a retrain cannot run on wasm at this batch, and what would; undefined when it fits. */
export function wasmRetrainRefusal(o: Parameters<typeof activationFloats>[0], batch: number): string | undefined {
  const m = wasmRetrainMemory(o, batch);
  if (m.fits) return undefined;
  const fit =
    m.batchThatFits >= 2
      ? `--batch ${m.batchThatFits} fits`
      : `not even a batch of 2 fits at this size: use fewer cells or channels`;
  return (
    `this network needs about ${gib(m.bytes)} of memory for one training step at batch ${batch} ` +
    `(${Math.round(m.perImage / 2 ** 20)} MiB per image), more than the wasm backend's heap can hold (${gib(m.limit)}); ` +
    `${fit}, or run it on a GPU backend (--backend tensorflow, webgpu).`
  );
}
