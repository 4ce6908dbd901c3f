// A data-parallel peer in a worker thread: loads TypeScript through tsx, joins the shared collective, runs the job.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { sab, rank, size, capacity, job } = workerData;
try {
  const { SharedCollective } = await import('./peers.ts');
  const mod = await import(job.module);
  const result = await mod.peerMain(job.input, new SharedCollective(sab, rank, size, capacity));
  parentPort.postMessage({ ok: true, result });
} catch (e) {
  parentPort.postMessage({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) });
}
