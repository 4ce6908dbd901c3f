// Entry of a job process: receives one job from the runner, runs it through the engine, streams messages back.
import fs from 'node:fs';
import path from 'node:path';
import { formatGenotype } from '../../shared/genotype-text';
import type { SearchData } from '../../shared/batches';
import type { RetrainConfig } from '../../shared/retrain-config';
import type { SearchConfig } from '../../shared/search-config';
import { selectBackend } from '../nas/backend';
import { discretizeCheckpoint } from '../nas/discretize/discretize-checkpoint';
import { evaluateNetwork } from '../nas/evaluate';
import { readRetrainCheckpoint, retrainStateFromCheckpoint } from '../nas/retrain-state';
import { nodeBackendHost } from './backend-host';
import { isDiskFull } from './disk-full';
import { HostGoneError } from './chromium-host/host';
import type { GpuEngine } from './chromium-host/gpu-engine';
import { openJobGpuEngine, searchEngineOn } from './chromium-host/job-engines';
import { openRetrainData } from './retrain-data';
import { runRetrainInFolder } from './retrain-runner';
import { RunFolder } from './run-folder';
import { openSearchData } from './search-data';
import { runSearchInFolder, type SearchEngine } from './search-runner';
import { searchThreads, threadedSearchEngine } from './peers/threaded-search';
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

/** Host diagnostics (bundle builds, the page's console errors) go to stderr, whose tail the runner keeps. */
const logLine = (line: string) => process.stderr.write(`${line}\n`);

async function run(job: WorkerJob): Promise<void> {
  // webgl / webgpu (or auto on a real GPU): the engine runs in the Chromium job host, this process feeds it.
  const backendChoice = job.kind === 'retrain' ? (job.config as RetrainConfig).backend : job.kind === 'evaluate' ? RunFolder.open(job.folder).readConfig<RetrainConfig>().config.backend : job.config.backend;
  const gpu = await openJobGpuEngine(backendChoice, job.home, logLine);
  try {
    await runOn(job, gpu);
  } finally {
    await gpu?.close();
  }
}

/**
 * In this process: data-parallel threads on wasm when the config asks for more than one and the batches
 * allow it; otherwise the search runner's default (this thread, the backend the config chooses).
 */
async function localSearchEngine(home: string, config: SearchConfig, data: SearchData): Promise<SearchEngine | undefined> {
  const backend = await selectBackend(config.backend, nodeBackendHost());
  if (backend.backend !== 'wasm') return undefined;
  const { threads, why } = searchThreads(config, data);
  if (why) logLine(why);
  if (threads <= 1) return undefined;
  const threadEntry = new URL(import.meta.url.endsWith('.ts') ? './peers/peer-thread.ts' : './peer-thread.js', import.meta.url);
  return threadedSearchEngine({ threads, home, config, threadEntry });
}

async function runOn(job: WorkerJob, gpu: GpuEngine | null): Promise<void> {
  if (job.kind === 'search') {
    const data = await openSearchData(job.home, job.config);
    const r = await runSearchInFolder({
      folder: job.folder,
      config: job.config,
      data,
      resumeFrom: job.resumeFrom,
      progressEvery: 1,
      engine: gpu ? searchEngineOn(gpu) : await localSearchEngine(job.home, job.config, data),
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
    const backend = gpu ? null : await selectBackend(job.config.backend, nodeBackendHost());
    if (backend) await send({ type: 'backend', backend });
    const data = job.method === 'decorrelation' ? (await openSearchData(job.home, job.config)).discretize : undefined;
    const onProgress = (done: number, total: number) =>
      void send({ type: 'progress', progress: { epoch: 0, step: done, stepsPerEpoch: total, epochs: 1, loss: 0, elapsed: 0, eta: 0 } });
    const discretizeJob = { checkpoint: fs.readFileSync(job.checkpointPath), method: job.method, data, images: job.images, onProgress };
    const result = gpu ? await gpu.discretize({ ...discretizeJob, onBackend: (b) => void send({ type: 'backend', backend: b }) }) : await discretizeCheckpoint(discretizeJob);
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
    const backend = gpu ? null : await selectBackend(config.backend, nodeBackendHost());
    const data = await openRetrainData(job.home, config);
    let counts = { parameters: 0, multiplyAdds: 0 };
    const r = await runRetrainInFolder({
      folder: job.folder,
      config,
      data,
      resumeFrom: job.resumeFrom,
      progressEvery: 1,
      engine: gpu ? (j) => gpu.retrain(j) : undefined,
      hooks: {
        onStart: (s) => {
          counts = { parameters: s.parameters, multiplyAdds: s.multiplyAdds };
          void send({ type: 'backend', backend: backend ?? gpu!.info!, parameters: s.parameters });
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
  const onProgress = (done: number, total: number) => void send({ type: 'progress', progress: { epoch: 0, step: done, stepsPerEpoch: total, epochs: 1, loss: 0, elapsed: 0, eta: 0 } });
  const bytes = fs.readFileSync(job.checkpointPath);
  if (gpu) {
    const { meta } = readRetrainCheckpoint(bytes);
    const data = await openRetrainData(job.home, meta.config);
    const evaluation = await gpu.evaluate(bytes, data.test, { batchSize: meta.config.batchSize, onProgress, onBackend: (b) => void send({ type: 'backend', backend: b }) });
    await send({ type: 'result', result: { kind: 'evaluate', checkpoint: job.checkpointPath, classNames: data.classNames, evaluation } });
    await send({ type: 'done' });
    return;
  }
  const backend = await selectBackend(record.config.backend, nodeBackendHost());
  await send({ type: 'backend', backend });
  const { state, meta } = retrainStateFromCheckpoint(bytes, false);
  try {
    const data = await openRetrainData(job.home, meta.config);
    const evaluation = await evaluateNetwork(state.net, data.test, { batchSize: meta.config.batchSize, onProgress });
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
        // The GPU job host dying mid-run is a crash, not a failed job: exit non-zero without `failed`, so
        // the runner records the run as interrupted (resumable), with this message from stderr.
        if (e instanceof HostGoneError) {
          logLine(e.message);
          process.exitCode = 3;
          return;
        }
        // So is a full disk for a run that resumes: its last checkpoint is whole (atomic writes).
        if (isDiskFull(e) && (msg.job.kind === 'search' || msg.job.kind === 'retrain')) {
          logLine(`${e instanceof Error ? e.message : String(e)}; free space, then: nasw resume ${msg.job.runId}`);
          process.exitCode = 4;
          return;
        }
        await send({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => {
        // After the runner has gone away the channel is already closed (disconnecting again throws).
        if (process.connected) process.disconnect();
      });
  }
});

// `nasw cancel` from another process: stop at the next step with a checkpoint, like the runner's stop.
process.on('SIGINT', () => {
  stopRequested = true;
});

// The runner going away (crash, kill) must not leave an orphan computing forever: stop at the next step
// with a checkpoint and exit; whoever reads the store next finds the process gone and records `interrupted`.
process.on('disconnect', () => {
  stopRequested = true;
});
// With the runner gone, writes to its stderr pipe fail (EPIPE): that must not crash the stop.
process.stderr.on('error', () => undefined);
