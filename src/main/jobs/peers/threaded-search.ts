// A search engine that splits every batch over data-parallel worker threads (Node's tfjs-wasm is single-threaded).
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SearchData } from '../../../shared/batches';
import type { SearchConfig } from '../../../shared/search-config';
import type { BackendInfo } from '../../nas/backend';
import type { SearchEvent, SearchJob } from '../../nas/search';
import type { SearchEngine } from '../search-runner';
import type { FromPeer, PeerData } from './protocol';
import { SharedCollective } from './shared-collective';

/** Values one allreduce round holds (longer exchanges go in chunks): 8 MB per peer. */
const CAPACITY = 1 << 20;
/** `threads: 'auto'` uses the cores, up to this many (measured on 2 cores; more are unmeasured). */
const AUTO_MAX = 4;

/**
 * How many peers a search should use: the configured count ('auto': the machine's cores, at most
 * AUTO_MAX), but never more than the smallest batch the search will see, so that every peer always
 * has images (the last batch of a split is its remainder).
 */
export function searchThreads(config: SearchConfig, data: SearchData, cores = os.availableParallelism()): { threads: number; why?: string } {
  const wanted = config.threads === 'auto' ? Math.min(cores, AUTO_MAX) : config.threads;
  if (wanted <= 1) return { threads: 1 };
  const bs = config.batchSize;
  const smallest = (split: SearchData['w']) => {
    const n = split.stepsPerEpoch(1); // images in the split
    const steps = Math.ceil(n / bs);
    const capped = config.stepsPerEpoch > 0 && split === data.w && config.stepsPerEpoch < steps;
    return capped ? bs : n - (steps - 1) * bs;
  };
  const min = Math.min(bs, smallest(data.w), smallest(data.alpha));
  if (min < wanted) return { threads: Math.max(1, min), why: `a batch of ${min} image${min === 1 ? '' : 's'} limits the data-parallel threads to ${Math.max(1, min)}` };
  return { threads: wanted };
}

/**
 * Peers 0 … n−1 each run the whole search loop in a worker thread on their slice of every batch, with
 * synchronised batch norm and summed gradients (src/main/nas/collective.ts): the same trajectory as one
 * thread to float32 tolerance. Rank 0 reports; this thread stays free for progress, cancel and crashes.
 */
export function threadedSearchEngine(opts: { threads: number; home: string; config: SearchConfig; threadEntry: URL }): SearchEngine {
  let info: BackendInfo | null = null;
  return {
    backend: () => {
      if (!info) throw new Error('the search threads have not reported their backend yet');
      return info;
    },
    run: (job: SearchJob) => runThreads(job, opts, (b) => (info = b)),
  };
}

async function* runThreads(job: SearchJob, opts: { threads: number; home: string; config: SearchConfig; threadEntry: URL }, onBackend: (b: BackendInfo) => void): AsyncGenerator<SearchEvent> {
  const size = opts.threads;
  const sab = SharedCollective.buffer(size, CAPACITY);
  const fromSource = opts.threadEntry.pathname.endsWith('.ts');
  const queue: SearchEvent[] = [];
  let failure: Error | null = null;
  let finished = 0;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const fail = (e: Error) => {
    failure ??= e;
    SharedCollective.abort(sab);
    notify();
  };
  const workers = Array.from({ length: size }, (_, rank) => {
    const data: PeerData = { sab, rank, size, capacity: CAPACITY, home: opts.home, config: opts.config, resume: job.resume, progressEvery: job.progressEvery };
    // From a checkout the thread needs tsx's loader (tsx-thread.mjs registers it, then imports the entry).
    const w = fromSource
      ? new Worker(new URL('./tsx-thread.mjs', import.meta.url), { workerData: { ...data, entry: opts.threadEntry.href } })
      : new Worker(opts.threadEntry, { workerData: data });
    w.on('message', (m: FromPeer) => {
      if (m.type === 'backend') {
        onBackend({ ...m.backend, notes: [...m.backend.notes, `${size} data-parallel threads (synchronised batch norm, summed gradients)`] });
      } else if (m.type === 'event') {
        queue.push(m.event);
        notify();
      } else if (m.type === 'failed') {
        fail(new Error(`search thread ${rank}: ${m.error}`));
      } else {
        finished += 1;
        notify();
      }
    });
    w.on('error', (e) => fail(new Error(`search thread ${rank} crashed: ${e.message}`)));
    w.on('exit', (code) => {
      if (code !== 0) fail(new Error(`search thread ${rank} exited with code ${code}`));
    });
    return w;
  });
  // A cancel is decided by rank 0 at its next step boundary, and the decision shared with every peer.
  const poll = setInterval(() => {
    if (job.shouldStop?.()) SharedCollective.requestStop(sab);
  }, 100);
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (failure) throw failure;
      if (finished === size) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    clearInterval(poll);
    SharedCollective.abort(sab); // releases any peer still waiting (an early return of the consumer)
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
