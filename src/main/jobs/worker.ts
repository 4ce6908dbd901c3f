// Entry of a job process: receives one job from the runner, runs it through the engine, streams messages back.
import fs from 'node:fs';
import path from 'node:path';
import { formatGenotype } from '../../shared/genotype-text';
import type { RetrainConfig } from '../../shared/retrain-config';
import { selectBackend } from '../nas/backend';
import { discretizeCheckpoint } from '../nas/discretize/discretize-checkpoint';
import { evaluateNetwork } from '../nas/evaluate';
import { retrainStateFromCheckpoint } from '../nas/retrain-state';
import { nodeBackendHost } from './backend-host';
import { openRetrainData } from './retrain-data';
import { runRetrainInFolder } from './retrain-runner';
import { RunFolder } from './run-folder';
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
  if (job.kind === 'retrain') {
    const config = job.config as RetrainConfig;
    const backend = await selectBackend(config.backend, nodeBackendHost());
    const data = await openRetrainData(job.home, config);
    let counts = { parameters: 0, multiplyAdds: 0 };
    const r = await runRetrainInFolder({
      folder: job.folder,
      config,
      data,
      resumeFrom: job.resumeFrom,
      progressEvery: 1,
      hooks: {
        onStart: (s) => {
          counts = { parameters: s.parameters, multiplyAdds: s.multiplyAdds };
          void send({ type: 'backend', backend, parameters: s.parameters });
        },
        onStep: (p) => void send({ type: 'progress', progress: p }),
        onEpoch: (m, ckpt) => void send({ type: 'epoch', metrics: m as unknown as Record<string, unknown> & { epoch: number }, checkpoint: ckpt }),
        onStopped: (ckpt) => void send({ type: 'stopped', checkpoint: ckpt }),
        shouldStop: () => stopRequested,
      },
    });
    if (r.status === 'completed') {
      const evaluation = JSON.parse(fs.readFileSync(path.join(job.folder, 'evaluation.json'), 'utf8')) as Record<string, unknown>;
      await send({ type: 'result', result: { kind: 'retrain', genotypeText: formatGenotype(config.genotype), genotype: config.genotype, ...counts, evaluation } });
      await send({ type: 'done' });
    }
    return;
  }
  // evaluate: the test split through a retrain checkpoint (BN in eval mode, no drop-path, no auxiliary head).
  const record = RunFolder.open(job.folder).readConfig<RetrainConfig>();
  const backend = await selectBackend(record.config.backend, nodeBackendHost());
  await send({ type: 'backend', backend });
  const { state, meta } = retrainStateFromCheckpoint(fs.readFileSync(job.checkpointPath), false);
  try {
    const data = await openRetrainData(job.home, meta.config);
    const evaluation = await evaluateNetwork(state.net, data.test, {
      batchSize: meta.config.batchSize,
      onProgress: (done, total) => void send({ type: 'progress', progress: { epoch: 0, step: done, stepsPerEpoch: total, epochs: 1, loss: 0, elapsed: 0, eta: 0 } }),
    });
    await send({ type: 'result', result: { kind: 'evaluate', checkpoint: job.checkpointPath, classNames: data.classNames, evaluation } });
    await send({ type: 'done' });
  } finally {
    state.dispose();
  }
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

// `nasw cancel` from another process: stop at the next step with a checkpoint, like the runner's stop.
process.on('SIGINT', () => {
  stopRequested = true;
});

// The runner going away (crash, kill) must not leave an orphan computing forever.
process.on('disconnect', () => {
  stopRequested = true;
});
