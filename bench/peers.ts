// Data-parallel peers in worker threads: a shared-memory allreduce for the engine's Collective, and the
// machinery to run the same measurement on every peer (each on its share of the batch).
import { Worker } from 'node:worker_threads';
import type { Collective } from '../src/main/nas/collective';

/**
 * Σ over peers through one SharedArrayBuffer: a reusable two-phase barrier (Int32 count and phase) and
 * one float64 slot per peer. Every peer writes its slot, waits for all, sums the slots in rank order (so
 * every peer gets bit-identical results), and waits again before the slots may be reused.
 */
export class SharedCollective implements Collective {
  private readonly ctl: Int32Array;
  private readonly slots: Float64Array[];

  constructor(
    readonly sab: SharedArrayBuffer,
    readonly rank: number,
    readonly size: number,
    readonly capacity: number,
  ) {
    this.ctl = new Int32Array(sab, 0, 2);
    this.slots = Array.from({ length: size }, (_, r) => new Float64Array(sab, 8 + r * capacity * 8, capacity));
  }

  static buffer(size: number, capacity: number): SharedArrayBuffer {
    return new SharedArrayBuffer(8 + size * capacity * 8);
  }

  private barrier(): void {
    const phase = Atomics.load(this.ctl, 1);
    if (Atomics.add(this.ctl, 0, 1) === this.size - 1) {
      Atomics.store(this.ctl, 0, 0);
      Atomics.add(this.ctl, 1, 1);
      Atomics.notify(this.ctl, 1);
      return;
    }
    // Spin briefly (the other peer is usually close), then sleep.
    for (let i = 0; i < 2000; i++) if (Atomics.load(this.ctl, 1) !== phase) return;
    while (Atomics.load(this.ctl, 1) === phase) Atomics.wait(this.ctl, 1, phase, 1000);
  }

  allreduce(values: Float64Array): Float64Array {
    if (values.length > this.capacity) throw new Error(`allreduce of ${values.length} values exceeds the shared capacity ${this.capacity}`);
    this.slots[this.rank]!.set(values);
    this.barrier();
    const out = new Float64Array(values.length);
    for (const slot of this.slots) for (let i = 0; i < out.length; i++) out[i]! += slot[i]!;
    this.barrier();
    return out;
  }
}

/** Values the collective must hold at once: the largest gradient exchange (all trainable parameters). */
export const PEER_CAPACITY = 4 * 1024 * 1024;

export interface PeerJob {
  /** A module (path or file URL) exporting `peerMain(input: unknown, collective: Collective): Promise<unknown>`. */
  module: string;
  input: unknown;
}

/**
 * Run `job` on `size` peers: peers 1 … size−1 in worker threads, peer 0 here (`main` runs with its
 * collective). Resolves with peer 0's result and the others'.
 */
export async function runPeers<T>(size: number, job: PeerJob, main: (collective: Collective) => Promise<T>): Promise<{ main: T; others: unknown[] }> {
  const sab = SharedCollective.buffer(size, PEER_CAPACITY);
  const workers = Array.from({ length: size - 1 }, (_, i) => {
    const w = new Worker(new URL('./peer-worker.js', import.meta.url), { workerData: { sab, rank: i + 1, size, capacity: PEER_CAPACITY, job } });
    return new Promise<unknown>((resolve, reject) => {
      w.once('message', (m: { ok: boolean; result?: unknown; error?: string }) => (m.ok ? resolve(m.result) : reject(new Error(`peer ${i + 1}: ${m.error}`))));
      w.once('error', reject);
      w.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`peer ${i + 1} exited with ${code}`))));
    });
  });
  const mainResult = await main(new SharedCollective(sab, 0, size, PEER_CAPACITY));
  return { main: mainResult, others: await Promise.all(workers) };
}
