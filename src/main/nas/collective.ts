// Data-parallel peers: several processes or threads each run a step on their slice of the batch, as one.
//
// With a collective set, every quantity that spans the batch is summed over the peers: batch-norm
// statistics and the sums of its backward (synchronised batch norm, so each peer normalises with the
// statistics of the whole batch, exactly as one process would), the loss and accuracy, and the
// gradients before the optimizer step. The peers start from the same state and apply the same summed
// gradients, so they stay identical; a checkpoint from any of them resumes as a single process would.
// The engine imports no Node module: the host (a worker thread or process pool) provides `allreduce`.

export interface Collective {
  readonly rank: number;
  readonly size: number;
  /** Element-wise sum over all peers, identical on every peer (summed in rank order). Blocks until all have called it. */
  allreduce(values: Float64Array): Float64Array;
}

let current: Collective | null = null;

/** Make the engine's steps data-parallel over `c` (null: one process owns the whole batch, the default). */
export function setCollective(c: Collective | null): void {
  current = c && c.size > 1 ? c : null;
}

export function collective(): Collective | null {
  return current;
}

/** Σ over peers (the values themselves without a collective). */
export function sumAcrossPeers(values: Float64Array): Float64Array {
  return current ? current.allreduce(values) : values;
}

/** Σ over peers of several arrays in one exchange. */
export function sumAllAcrossPeers(parts: Float64Array[]): Float64Array[] {
  if (!current) return parts;
  const flat = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    flat.set(p, o);
    o += p.length;
  }
  const sum = current.allreduce(flat);
  o = 0;
  return parts.map((p) => {
    const s = sum.subarray(o, o + p.length);
    o += p.length;
    return s;
  });
}
