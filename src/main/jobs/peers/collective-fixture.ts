// Test-only: one peer of shared-collective.test.ts, in a worker thread.
import { parentPort, workerData } from 'node:worker_threads';
import { SharedCollective } from './shared-collective';

const d = workerData as { sab: SharedArrayBuffer; rank: number; size: number; capacity: number; mode: 'sum' | 'stop' | 'abort' };
if (d.mode === 'abort') {
  setTimeout(() => SharedCollective.abort(d.sab), 100);
} else {
  const c = new SharedCollective(d.sab, d.rank, d.size, d.capacity);
  const values = Float64Array.from({ length: 9 }, (_, i) => (d.rank + 1) * (i + 0.5));
  parentPort!.postMessage(d.mode === 'sum' ? Array.from(c.allreduce(values)) : c.agreeToStop());
}
