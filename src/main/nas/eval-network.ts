// The final DARTS network from a genotype: CIFAR form (one 3×3 stem) or ImageNet form (stride-2 stems), L cells.
import * as tf from '@tensorflow/tfjs';
import type { Genotype } from '../../shared/genotype';
import { validateGenotype } from '../../shared/genotype-text';
import type { Rng } from '../../shared/random';
import { reductionIndices } from '../../shared/search-space';
import { AuxiliaryHead, auxiliaryGeometry } from './auxiliary-head';
import { EvalCell, K, cellGenotype } from './eval-cell';
import type { ForwardContext } from './module';
import { globalAvgPool } from './ops/avg-pool';
import { Params } from './params';
import { CifarStem, ImageNetStem, Linear } from './stem';

export interface EvalNetworkOptions {
  genotype: Genotype;
  /** L: cells; reductions at ⌊L/3⌋ and ⌊2L/3⌋. */
  cells: number;
  /** C: channels of the first cells (doubled at each reduction). */
  channels: number;
  numClasses: number;
  /** [height, width, channels] of the input images. */
  inputShape: readonly [number, number, number];
  /** `cifar`: 3×3 conv to stemMultiplier·C + BN; `imagenet`: the two stride-2 stems, c_{k-2} at twice c_{k-1}'s resolution. */
  stem: 'cifar' | 'imagenet';
  /** CIFAR stem width factor (3 in the reference). */
  stemMultiplier?: number;
  /** Build the auxiliary head after cell ⌊2L/3⌋ (used in training only). */
  auxiliary: boolean;
}

/** One cell's place in the network: C_pp, C_p, C as the reference names them. */
export interface CellPlan {
  index: number;
  reduction: boolean;
  reductionPrev: boolean;
  cPrevPrev: number;
  cPrev: number;
  C: number;
  /** Output channels: |concat| · C. */
  out: number;
}

export interface EvalNetworkPlan {
  stemOut: number;
  cells: CellPlan[];
  /** The cell after which the auxiliary head sits (⌊2L/3⌋), and its output channels. */
  auxiliaryCell: number;
  auxiliaryChannels: number;
  classifierIn: number;
}

/** The channel sequence of the final network (the reference's NetworkCIFAR / NetworkImageNet constructor). */
export function evalNetworkPlan(o: Pick<EvalNetworkOptions, 'genotype' | 'cells' | 'channels' | 'stem' | 'stemMultiplier'>): EvalNetworkPlan {
  const C = o.channels;
  const stemOut = o.stem === 'cifar' ? (o.stemMultiplier ?? 3) * C : C;
  const reductions = reductionIndices(o.cells);
  const auxiliaryCell = Math.floor((2 * o.cells) / 3);
  let cPrevPrev = stemOut;
  let cPrev = stemOut;
  let cCurr = C;
  let reductionPrev = o.stem === 'imagenet';
  let auxiliaryChannels = 0;
  const cells: CellPlan[] = [];
  for (let i = 0; i < o.cells; i++) {
    const reduction = reductions.includes(i);
    if (reduction) cCurr *= 2;
    const out = cellGenotype(o.genotype, reduction).concat.length * cCurr;
    cells.push({ index: i, reduction, reductionPrev, cPrevPrev, cPrev, C: cCurr, out });
    reductionPrev = reduction;
    cPrevPrev = cPrev;
    cPrev = out;
    if (i === auxiliaryCell) auxiliaryChannels = out;
  }
  return { stemOut, cells, auxiliaryCell, auxiliaryChannels, classifierIn: cPrev };
}

/** Height and width after the stem and after each cell (stride-2 steps round up, as 3×3 pad-1 convs do). */
export function evalNetworkSizes(o: Pick<EvalNetworkOptions, 'cells' | 'stem' | 'inputShape'>): { stem: [number, number]; cells: [number, number][] } {
  const half = (s: number) => Math.floor((s - 1) / 2) + 1;
  let [h, w] = [o.inputShape[0], o.inputShape[1]];
  if (o.stem === 'imagenet') for (let i = 0; i < 3; i++) [h, w] = [half(h), half(w)];
  const stem: [number, number] = [h, w];
  const reductions = reductionIndices(o.cells);
  const cells: [number, number][] = [];
  for (let i = 0; i < o.cells; i++) {
    if (reductions.includes(i)) [h, w] = [half(h), half(w)];
    cells.push([h, w]);
  }
  return { stem, cells };
}

export interface EvalOutput {
  logits: tf.Tensor2D;
  /** The auxiliary head's logits: only in training, and only when the network has the head. */
  auxLogits?: tf.Tensor2D;
}

export class EvalNetwork {
  readonly params: Params;
  readonly cells: EvalCell[] = [];
  readonly plan: EvalNetworkPlan;
  readonly auxiliaryHead?: AuxiliaryHead;
  private readonly stem: CifarStem | ImageNetStem;
  private readonly classifier: Linear;

  constructor(
    readonly options: EvalNetworkOptions,
    rng: Rng,
  ) {
    const { genotype, numClasses, inputShape } = options;
    validateGenotype(genotype, { k: K });
    if (options.channels % 2 !== 0) throw new Error(`channels must be even (FactorizedReduce halves them), got ${options.channels}`);
    this.params = new Params(rng);
    const p = this.params;
    this.plan = evalNetworkPlan(options);
    // Parameters are created in the reference's module order: stem, cells, auxiliary head, classifier.
    this.stem =
      options.stem === 'cifar' ? new CifarStem(p, inputShape[2], options.channels, options.stemMultiplier ?? 3, true) : new ImageNetStem(p, inputShape[2], options.channels, true);
    for (const c of this.plan.cells) {
      this.cells.push(new EvalCell(p, c.index, genotype, c.cPrevPrev, c.cPrev, c.C, c.reduction, c.reductionPrev));
    }
    if (options.auxiliary) {
      const [h, w] = evalNetworkSizes(options).cells[this.plan.auxiliaryCell]!;
      auxiliaryGeometry(options.stem, h, w); // fail at construction, not at the first training step
      this.auxiliaryHead = new AuxiliaryHead(p, options.stem, this.plan.auxiliaryChannels, numClasses);
    }
    this.classifier = new Linear(p, 'classifier', this.plan.classifierIn, numClasses);
  }

  /**
   * Logits [N, classes]; in training also the auxiliary logits. `ctx.dropPathProb` and `ctx.random`
   * drive drop-path (training only); evaluation (`training: false`) uses BN running statistics.
   */
  forward(x: tf.Tensor4D, ctx: ForwardContext): EvalOutput {
    let [s0, s1] = this.stem.forward(x, ctx);
    let auxLogits: tf.Tensor2D | undefined;
    for (const cell of this.cells) {
      const next = cell.forward(s0, s1, ctx);
      s0 = s1;
      s1 = next;
      if (cell.index === this.plan.auxiliaryCell && this.auxiliaryHead && ctx.training) auxLogits = this.auxiliaryHead.forward(s1, ctx);
    }
    const logits = this.classifier.forward(globalAvgPool(s1));
    return auxLogits ? { logits, auxLogits } : { logits };
  }

  dispose(): void {
    this.params.dispose();
  }
}
