// Routes the service's events to the domain stores (one subscription for the whole app).
import type { ApiClient } from '../../../shared/api/client';
import type { RendererTransport } from '../api/transport';
import { useCompareStore } from './compare';
import { useDatasetsStore } from './datasets';
import { useJobsStore } from './jobs';
import { useRetrainStore } from './retrain';
import { useRunStore } from './run';
import { useRunsStore } from './runs';
import { useSystemStore } from './system';

export function connectEvents(api: ApiClient, transport: Pick<RendererTransport, 'onConnection'>): () => void {
  const system = useSystemStore();
  const runs = useRunsStore();
  const run = useRunStore();
  const jobs = useJobsStore();
  const datasets = useDatasetsStore();
  const compare = useCompareStore();
  const retrain = useRetrainStore();
  let wasClosed = false;
  const offs = [
    api.onJob((e) => {
      jobs.applyJobEvent(e);
      runs.applyJobEvent(e);
      run.applyJobEvent(e);
      system.applyJobEvent(e);
      compare.applyJobEvent(e);
      if (retrain.loaded) retrain.applyJobEvent(e);
    }),
    api.onQueue((q) => system.applyQueue(q)),
    api.onImport((t) => datasets.applyImport(t)),
    transport.onConnection((state) => {
      system.setConnection(state);
      if (state === 'closed') wasClosed = true;
      if (state === 'open' && wasClosed) {
        // Events may have been missed while disconnected: read everything again.
        wasClosed = false;
        void system.load();
        void runs.load();
        if (run.id !== null) void run.load(run.id);
        void datasets.loadImports();
        if (compare.ids.length) void compare.load(compare.ids);
      }
    }),
  ];
  return () => offs.forEach((off) => off());
}
