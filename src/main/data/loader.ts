// A BatchSource over a cached split: per-epoch seeded order, per-batch seeded augmentation, normalised float32 NHWC.
import type { BatchSource, ImageBatch } from '../../shared/batches';
import { NO_AUGMENT, drawAugment, normalisationTable, writeAugmented, type Augmentation } from './augment';
import { Prng } from './prng';
import type { SplitStore } from './split-store';

export interface LoaderOptions {
  /** Images of the split to serve (default: all), as indices into it. */
  indices?: Uint32Array;
  seed: number;
  /** Distinguishes loaders sharing a seed (w, α, …): each gets its own order and augmentation. */
  stream: number;
  /** Shuffle each epoch (seeded by seed, stream, epoch); off: the indices' order, every epoch. */
  shuffle: boolean;
  augment?: Augmentation;
  mean: readonly number[];
  std: readonly number[];
  numClasses: number;
}

export class SplitLoader implements BatchSource {
  readonly size: number;
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  private readonly lut: Float32Array;
  private order?: { epoch: number; perm: Uint32Array };

  constructor(
    private readonly store: SplitStore,
    private readonly opts: LoaderOptions,
  ) {
    this.size = opts.indices?.length ?? store.count;
    this.shape = store.shape;
    this.numClasses = opts.numClasses;
    this.lut = normalisationTable(opts.mean, opts.std);
  }

  stepsPerEpoch(batchSize: number): number {
    checkInt('batch size', batchSize, 1);
    return Math.ceil(this.size / batchSize);
  }

  /** Positions into `indices` (or the split) in epoch `epoch`'s order. */
  private epochOrder(epoch: number): Uint32Array | null {
    if (!this.opts.shuffle) return null;
    if (this.order?.epoch !== epoch) this.order = { epoch, perm: Prng.of(this.opts.seed, this.opts.stream, epoch).permutation(this.size) };
    return this.order.perm;
  }

  async batch(epoch: number, step: number, batchSize: number): Promise<ImageBatch> {
    checkInt('epoch', epoch, 0);
    checkInt('step', step, 0);
    const steps = this.stepsPerEpoch(batchSize);
    if (step >= steps) throw new RangeError(`step ${step} is past the end of the epoch (${steps} steps of ${batchSize})`);
    const start = step * batchSize;
    const n = Math.min(batchSize, this.size - start);
    const order = this.epochOrder(epoch);
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const pos = order ? order[start + i]! : start + i;
      idx[i] = this.opts.indices ? this.opts.indices[pos]! : pos;
    }
    const per = this.store.imageBytes;
    const raw = new Uint8Array(n * per);
    await this.store.gather(idx, raw);
    const labels = await this.store.labels();
    const x = new Float32Array(n * per);
    const y = new Int32Array(n);
    const aug = this.opts.augment;
    const rng = aug ? Prng.of(this.opts.seed, this.opts.stream, epoch, step) : null;
    for (let i = 0; i < n; i++) {
      y[i] = labels[idx[i]!]!;
      const d = rng && aug ? drawAugment(rng, this.shape, aug) : NO_AUGMENT;
      writeAugmented(raw, i * per, x, i * per, this.shape, this.lut, aug?.cropPadding ?? 0, aug?.cutout ?? 0, d);
    }
    return { x, y, n, shape: this.shape };
  }
}

function checkInt(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${what} must be an integer ≥ ${min}, got ${v}`);
}
