// Test-only: a small learnable in-memory dataset implementing the engine's BatchSource contract.
import type { BatchSource, ImageBatch, SearchData } from '../../../shared/batches';
import { Rng } from '../../../shared/random';

/** Class c = a fixed random template + noise; order is a permutation fixed by (seed, epoch). */
export class SyntheticSource implements BatchSource {
  readonly numClasses: number;
  private readonly images: Float32Array;
  private readonly labels: Int32Array;

  constructor(
    readonly size: number,
    readonly shape: readonly [number, number, number],
    numClasses: number,
    private readonly seed: number,
  ) {
    this.numClasses = numClasses;
    const per = shape[0] * shape[1] * shape[2];
    const rng = new Rng(seed);
    const templates = Array.from({ length: numClasses }, () => Float32Array.from({ length: per }, () => rng.normal()));
    this.images = new Float32Array(size * per);
    this.labels = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const c = i % numClasses;
      this.labels[i] = c;
      for (let j = 0; j < per; j++) this.images[i * per + j] = templates[c]![j]! + 0.8 * rng.normal();
    }
  }

  stepsPerEpoch(batchSize: number): number {
    return Math.ceil(this.size / batchSize);
  }

  async batch(epoch: number, step: number, batchSize: number): Promise<ImageBatch> {
    const order = Rng.derive(this.seed, epoch).permutation(this.size);
    const start = step * batchSize;
    const n = Math.max(0, Math.min(batchSize, this.size - start));
    const per = this.shape[0] * this.shape[1] * this.shape[2];
    const x = new Float32Array(n * per);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const src = order[start + i]!;
      x.set(this.images.subarray(src * per, (src + 1) * per), i * per);
      y[i] = this.labels[src]!;
    }
    return { x, y, n, shape: this.shape };
  }
}

export function syntheticSearchData(opts: { size?: number; shape?: readonly [number, number, number]; classes?: number; seed?: number } = {}): SearchData {
  const size = opts.size ?? 64;
  const shape = opts.shape ?? ([8, 8, 3] as const);
  const classes = opts.classes ?? 4;
  const seed = opts.seed ?? 1;
  return {
    w: new SyntheticSource(size, shape, classes, seed),
    alpha: new SyntheticSource(size, shape, classes, seed + 1),
    discretize: new SyntheticSource(size, shape, classes, seed + 2),
    classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
  };
}
