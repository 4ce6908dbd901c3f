// Data-parallel peers in worker threads: a shared-memory allreduce for the engine's Collective, and the
// machinery to run the same measurement on every peer (each on its share of the batch).
import { Worker } from 'node:worker_threads';
import type { Collective } from '../src/main/nas/collective';
import { SharedCollective } from '../src/main/jobs/peers/shared-collective';

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
