// A data-parallel peer in a worker thread: loads TypeScript through tsx, joins the shared collective, runs the job.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { sab, rank, size, capacity, job } = workerData;
const { SharedCollective } = await import('../src/main/jobs/peers/shared-collective.ts');
try {
  const mod = await import(job.module);
  const result = await mod.peerMain(job.input, new SharedCollective(sab, rank, size, capacity));
  parentPort.postMessage({ ok: true, result });
} catch (e) {
  // Release the other peers (peer 0 waits on the main thread, where this message cannot reach it).
  SharedCollective.abort(sab);
  parentPort.postMessage({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) });
}
