// The engine's Collective over one SharedArrayBuffer, for data-parallel peers in worker threads.
import type { Collective } from '../../nas/collective';

/** Control words at the start of the buffer. */
const COUNT = 0; // peers arrived at the current barrier
const PHASE = 1; // barrier generation
const ABORT = 2; // set by a failing peer or the host: every barrier throws from then on
const STOP = 3; // set by the host: rank 0 proposes a stop at its next step boundary
const CONTROL_BYTES = 16;

/** Thrown in every peer once any peer failed: the host reports that peer's own error. */
export class PeersAbortedError extends Error {
  constructor() {
    super('another data-parallel peer failed');
    this.name = 'PeersAbortedError';
  }
}

/**
 * Σ over peers: a reusable two-phase barrier and one float64 slot per peer. Every peer writes its slot,
 * waits for all, sums the slots in rank order (bit-identical results on every peer, so the peers' states
 * never drift apart), and waits again before the slots may be reused. Longer arrays go in chunks.
 */
export class SharedCollective implements Collective {
  private readonly ctl: Int32Array;
  private readonly slots: Float64Array[];

  constructor(
    readonly sab: SharedArrayBuffer,
    readonly rank: number,
    readonly size: number,
    readonly capacity: number,
    /** A barrier waiting longer than this (ms) means a peer died without a word: give up. */
    private readonly patience = 30 * 60_000,
  ) {
    this.ctl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    this.slots = Array.from({ length: size }, (_, r) => new Float64Array(sab, CONTROL_BYTES + r * capacity * 8, capacity));
  }

  static buffer(size: number, capacity: number): SharedArrayBuffer {
    return new SharedArrayBuffer(CONTROL_BYTES + size * capacity * 8);
  }

  /** Make every peer's next (or current) barrier throw PeersAbortedError. Safe from any thread. */
  static abort(sab: SharedArrayBuffer): void {
    const ctl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    Atomics.store(ctl, ABORT, 1);
    Atomics.notify(ctl, PHASE);
  }

  /** Ask the peers to stop at their next step boundary (read by rank 0 in `agreeToStop`). */
  static requestStop(sab: SharedArrayBuffer): void {
    Atomics.store(new Int32Array(sab, 0, CONTROL_BYTES / 4), STOP, 1);
  }

  private barrier(): void {
    const phase = Atomics.load(this.ctl, PHASE);
    if (Atomics.load(this.ctl, ABORT)) throw new PeersAbortedError();
    if (Atomics.add(this.ctl, COUNT, 1) === this.size - 1) {
      Atomics.store(this.ctl, COUNT, 0);
      Atomics.add(this.ctl, PHASE, 1);
      Atomics.notify(this.ctl, PHASE);
      return;
    }
    // Spin briefly (the other peers are usually close behind), then sleep.
    for (let i = 0; i < 2000; i++) if (Atomics.load(this.ctl, PHASE) !== phase) return;
    const since = Date.now();
    while (Atomics.load(this.ctl, PHASE) === phase) {
      if (Atomics.load(this.ctl, ABORT)) throw new PeersAbortedError();
      if (Date.now() - since > this.patience) throw new Error(`a data-parallel peer has not answered for ${Math.round(this.patience / 1000)} s`);
      Atomics.wait(this.ctl, PHASE, phase, 1000);
    }
  }

  allreduce(values: Float64Array): Float64Array {
    const out = new Float64Array(values.length);
    for (let from = 0; from < values.length || from === 0; from += this.capacity) {
      const to = Math.min(values.length, from + this.capacity);
      this.slots[this.rank]!.set(values.subarray(from, to));
      this.barrier();
      for (const slot of this.slots) for (let i = from; i < to; i++) out[i]! += slot[i - from]!;
      this.barrier();
      if (to === values.length) break;
    }
    return out;
  }

  /** One decision for all peers at a step boundary: stop when the host asked rank 0 to. */
  agreeToStop(): boolean {
    const mine = this.rank === 0 && Atomics.load(this.ctl, STOP) ? 1 : 0;
    return this.allreduce(Float64Array.of(mine))[0]! > 0;
  }
}
