// A data-parallel search peer in a worker thread: its own wasm instance, the same data, a slice of every batch.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../../nas/backend';
import { setCollective } from '../../nas/collective';
import { runSearch } from '../../nas/search';
import { nodeBackendHost } from '../backend-host';
import { openSearchData } from '../search-data';
import type { FromPeer, PeerData } from './protocol';
import { PeersAbortedError, SharedCollective } from './shared-collective';

const d = workerData as PeerData;
const post = (m: FromPeer) => parentPort!.postMessage(m);
const collective = new SharedCollective(d.sab, d.rank, d.size, d.capacity);

try {
  // The job process chose wasm before starting threads (the only backend they serve).
  const backend = await selectBackend('wasm', nodeBackendHost());
  if (d.rank === 0) post({ type: 'backend', backend });
  const data = await openSearchData(d.home, d.config);
  setCollective(collective);
  // Every peer runs the same loop; only rank 0 reports (all peers hold the same state after each step).
  for await (const event of runSearch({ config: d.config, data, resume: d.resume, progressEvery: d.progressEvery, shouldStop: () => collective.agreeToStop() })) {
    if (d.rank === 0) post({ type: 'event', event });
  }
  post({ type: 'finished' });
} catch (e) {
  SharedCollective.abort(d.sab);
  // A peer unblocked by another's failure has nothing of its own to say.
  if (!(e instanceof PeersAbortedError)) post({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  else post({ type: 'finished' });
}
