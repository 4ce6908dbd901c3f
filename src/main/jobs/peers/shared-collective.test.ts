// The shared-memory collective: sums across real threads (in chunks), the stop agreement, and aborts.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PeersAbortedError, SharedCollective } from './shared-collective';

/** Peer `rank` of the fixture in a worker thread (through the tsx shim, as a search thread starts). */
function peer(sab: SharedArrayBuffer, rank: number, size: number, capacity: number, mode: string): Promise<unknown> {
  const w = new Worker(new URL('./tsx-thread.mjs', import.meta.url), {
    workerData: { entry: new URL('./collective-fixture.ts', import.meta.url).href, sab, rank, size, capacity, mode },
  });
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', () => resolve(undefined));
  });
}

describe('SharedCollective', () => {
  it('one peer: the values themselves, also across chunk boundaries', () => {
    const one = new SharedCollective(SharedCollective.buffer(1, 4), 0, 1, 4);
    expect(Array.from(one.allreduce(Float64Array.of(1.5, -2, 3, 4, 5, 6, 7, 8, 9)))).toEqual([1.5, -2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(one.allreduce(new Float64Array(0)))).toEqual([]);
  });

  it('three threads: every peer gets the same sum of 9 values through 4-value chunks', async () => {
    const sab = SharedCollective.buffer(3, 4);
    const results = (await Promise.all([0, 1, 2].map((r) => peer(sab, r, 3, 4, 'sum')))) as number[][];
    const expected = Array.from({ length: 9 }, (_, i) => (1 + 2 + 3) * (i + 0.5));
    for (const r of results) expect(r).toEqual(expected);
  });

  it('a stop requested by the host is agreed by every peer at the same step', async () => {
    const sab = SharedCollective.buffer(2, 4);
    expect(await Promise.all([0, 1].map((r) => peer(sab, r, 2, 4, 'stop')))).toEqual([false, false]);
    SharedCollective.requestStop(sab);
    expect(await Promise.all([0, 1].map((r) => peer(sab, r, 2, 4, 'stop')))).toEqual([true, true]);
  });

  it('an abort from another thread releases a peer waiting for a partner that will never come', async () => {
    const sab = SharedCollective.buffer(2, 4);
    const c = new SharedCollective(sab, 0, 2, 4);
    const aborter = peer(sab, 1, 2, 4, 'abort');
    expect(() => c.allreduce(Float64Array.of(1))).toThrow(PeersAbortedError);
    await aborter;
    // And from then on at once.
    expect(() => c.allreduce(Float64Array.of(1))).toThrow(PeersAbortedError);
  });

  it('gives up on a silent peer after its patience', () => {
    const c = new SharedCollective(SharedCollective.buffer(2, 4), 0, 2, 4, 50);
    expect(() => c.allreduce(Float64Array.of(1))).toThrow(/has not answered/);
  });
});
