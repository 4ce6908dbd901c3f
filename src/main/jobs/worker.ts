// Entry of a job process: receives one job from the runner, runs it through the engine, streams messages back.
import fs from 'node:fs';
import { formatGenotype } from '../../shared/genotype-text';
import { selectBackend } from '../nas/backend';
import { discretizeCheckpoint } from '../nas/discretize/discretize-checkpoint';
import { nodeBackendHost } from './backend-host';
import { openSearchData } from './search-data';
import { runSearchInFolder } from './search-runner';
import type { FromWorker, ToWorker, WorkerJob } from './worker-protocol';

let stopRequested = false;

function send(msg: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      resolve();
      return;
    }
    process.send(msg, undefined, {}, () => resolve());
  });
}

async function run(job: WorkerJob): Promise<void> {
  if (job.kind === 'search') {
    const data = await openSearchData(job.home, job.config);
    const r = await runSearchInFolder({
      folder: job.folder,
      config: job.config,
      data,
      resumeFrom: job.resumeFrom,
      progressEvery: 1,
      hooks: {
        onStart: (s) => void send({ type: 'backend', backend: s.backend, parameters: s.parameters }),
        onStep: (p) => void send({ type: 'progress', progress: p }),
        onEpoch: (m, ckpt) => void send({ type: 'epoch', metrics: m as unknown as Record<string, unknown> & { epoch: number }, checkpoint: ckpt }),
        onStopped: (ckpt) => void send({ type: 'stopped', checkpoint: ckpt }),
        shouldStop: () => stopRequested,
      },
    });
    if (r.status === 'completed') await send({ type: 'done' });
    return;
  }
  if (job.kind === 'discretize') {
    const backend = await selectBackend(job.config.backend, nodeBackendHost());
    await send({ type: 'backend', backend });
    const data = job.method === 'decorrelation' ? (await openSearchData(job.home, job.config)).discretize : undefined;
    const result = await discretizeCheckpoint({
      checkpoint: fs.readFileSync(job.checkpointPath),
      method: job.method,
      data,
      images: job.images,
      onProgress: (done, total) =>
        void send({ type: 'progress', progress: { epoch: 0, step: done, stepsPerEpoch: total, epochs: 1, loss: 0, elapsed: 0, eta: 0 } }),
    });
    const scores =
      result.decorrelation === undefined
        ? { alphaSoftmax: result.alphaSoftmax }
        : { alphaSoftmax: result.alphaSoftmax, normal: result.decorrelation.normal, reduce: result.decorrelation.reduce };
    await send({ type: 'genotype', genotype: { method: result.method, text: formatGenotype(result.genotype), genotype: result.genotype, scores } });
    await send({ type: 'done' });
    return;
  }
  throw new Error(`job kind '${job.kind}' is not supported by this worker yet`);
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') {
    stopRequested = true;
    return;
  }
  if (msg.type === 'start') {
    run(msg.job)
      .catch(async (e: unknown) => {
        await send({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => {
        process.disconnect?.();
      });
  }
});

// The runner going away (crash, kill) must not leave an orphan computing forever.
process.on('disconnect', () => {
  stopRequested = true;
});
