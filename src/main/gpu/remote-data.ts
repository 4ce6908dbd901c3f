// A BatchSource whose batches come from the Node host on request: the engine reads the dataset cache through it.
import type { BatchSource, ImageBatch } from '../../shared/batches';
import type { EngineToHost, ViewInfo } from './protocol';

/** Pending batch requests of one session, answered by the host's `batch` messages. */
export class BatchRequests {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (b: ImageBatch) => void; reject: (e: Error) => void }>();

  constructor(private readonly send: (m: EngineToHost) => void) {}

  request(view: string, epoch: number, step: number, batchSize: number): Promise<ImageBatch> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'need', id, view, epoch, step, batchSize });
    });
  }

  answer(id: number, batch: ImageBatch | undefined, error: string | undefined): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (batch) p.resolve({ ...batch, shape: [batch.shape[0], batch.shape[1], batch.shape[2]] as const });
    else p.reject(new Error(error ?? 'the host sent no batch'));
  }
}

export class RemoteSource implements BatchSource {
  readonly size: number;
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;

  constructor(
    private readonly requests: BatchRequests,
    private readonly view: string,
    info: ViewInfo,
  ) {
    this.size = info.size;
    this.shape = [info.shape[0], info.shape[1], info.shape[2]];
    this.numClasses = info.numClasses;
  }

  /** As the cache's loaders: the last batch of an epoch may be short. */
  stepsPerEpoch(batchSize: number): number {
    return Math.ceil(this.size / batchSize);
  }

  batch(epoch: number, step: number, batchSize: number): Promise<ImageBatch> {
    return this.requests.request(this.view, epoch, step, batchSize);
  }
}
