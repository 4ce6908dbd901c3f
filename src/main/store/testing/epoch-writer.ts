// Test helper process: records epochs of one run, one transaction each, as a live search worker would.
// Usage: node --import tsx epoch-writer.ts <dbPath> <runId> <epochs>
import { openStore } from '../store';
import { sampleSearchMetrics } from './fixtures';

const [dbPath, runId, count] = process.argv.slice(2);
const store = openStore(dbPath!);
const id = Number(runId);
store.runs.transition(id, 'running', { pid: process.pid });
for (let e = 0; e < Number(count); e++) {
  store.transaction(() => {
    store.epochs.recordSearch(id, sampleSearchMetrics(e));
    store.checkpoints.add(id, { epoch: e, path: `/runs/${id}/ckpt-${e}.bin`, bytes: 1000, sha256: 'c'.repeat(64) });
  });
}
store.runs.transition(id, 'completed');
store.close();
process.stdout.write('done\n');
