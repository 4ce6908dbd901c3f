// One engine session in Chromium: backend + gates + self-test, then the job (search, discretize, retrain, evaluate, a check).
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../../shared/batches';
import { discretizeCheckpoint } from '../nas/discretize/discretize-checkpoint';
import { evaluateNetwork } from '../nas/evaluate';
import { runRetrain } from '../nas/retrain';
import { retrainStateFromCheckpoint } from '../nas/retrain-state';
import { runSearch } from '../nas/search';
import { activateBackend, backendInfo, BackendRefused, reactivate } from './gpu-backend';
import type { EngineJob, EngineToHost, GateReport, HostToEngine, PageEnvironment, StartMessage } from './protocol';
import { deviceKey, isGpuBackend } from './protocol';
import { BatchRequests, RemoteSource } from './remote-data';
import { runSelfTest } from './self-test';

/** The session's link to the host: a WebSocket in the worker, a MessagePort in tests. */
export interface Channel {
  send(m: EngineToHost): void;
  onMessage(cb: (m: HostToEngine) => void): void;
  /** Bytes not yet handed to the network (WebSocket.bufferedAmount); 0 where unknown. */
  buffered?(): number;
}

export interface SessionOptions {
  wasmPath?: string;
}

export function pageEnvironment(): PageEnvironment {
  const g = globalThis as unknown as { crossOriginIsolated?: boolean; OffscreenCanvas?: unknown };
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: Boolean(g.crossOriginIsolated),
    hardwareConcurrency: navigator.hardwareConcurrency ?? 1,
    offscreenCanvas: typeof g.OffscreenCanvas !== 'undefined',
    webgpu: 'gpu' in navigator,
  };
}

/** Serve one session: wait for `start`, pass the gates, run the job, report; any failure is reported, never thrown. */
export async function runSession(ch: Channel, opts: SessionOptions = {}): Promise<void> {
  let stopRequested = false;
  const requests = new BatchRequests((m) => ch.send(m));
  const started = new Promise<StartMessage>((resolve) => {
    ch.onMessage((m) => {
      if (m.type === 'start') resolve(m);
      else if (m.type === 'batch') requests.answer(m.id, m.batch, m.error);
      else if (m.type === 'stop') stopRequested = true;
    });
  });
  ch.send({ type: 'hello', env: pageEnvironment() });
  const start = await started;
  let gates: GateReport;
  try {
    gates = await activateBackend(start.backend, { wasmPath: opts.wasmPath, tfFlags: start.tfFlags, simulate: start.simulate });
    const onRecord = start.selfTestOnRecord?.[deviceKey(start.backend, gates.device, navigator.userAgent)];
    if (start.selfTest && isGpuBackend(start.backend) && onRecord?.passed) gates.selfTest = { ...onRecord, cached: true };
    else if (start.selfTest && isGpuBackend(start.backend)) {
      gates.selfTest = await runSelfTest(start.backend);
      if (!gates.selfTest.passed) {
        const s = gates.selfTest;
        gates.refused =
          `the ${start.backend} backend on ${gates.device} failed the self-test: one supernet step's gradients differ from cpu's by ` +
          `${s.maxRelative.toExponential(2)} relative (in ${s.worst}; tolerance ${s.tolerance.toExponential(0)}), so it is not used for training`;
        throw new BackendRefused(gates.refused, gates);
      }
    }
  } catch (e) {
    if (e instanceof BackendRefused) ch.send({ type: 'refused', reason: e.message, gates: e.gates });
    else ch.send({ type: 'failed', error: `backend ${start.backend}: ${describe(e)}` });
    return;
  }
  ch.send({ type: 'backend', info: backendInfo(gates), gates });
  const views: Record<string, BatchSource> = {};
  for (const [name, info] of Object.entries(start.views)) views[name] = new RemoteSource(requests, name, info);
  try {
    const result = await runJob(start.job, views, start.classNames, ch, () => stopRequested, start, opts);
    ch.send({ type: 'result', result });
  } catch (e) {
    ch.send({ type: 'failed', error: describe(e) });
  }
  await drained(ch);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Wait until the socket has sent everything queued, so closing the page cannot cut off the last checkpoint. */
async function drained(ch: Channel): Promise<void> {
  for (let i = 0; i < 600 && (ch.buffered?.() ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 50));
}

function view(views: Record<string, BatchSource>, name: string): BatchSource {
  const v = views[name];
  if (!v) throw new Error(`the host did not offer the ${name} data view`);
  return v;
}

async function runJob(
  job: EngineJob,
  views: Record<string, BatchSource>,
  classNames: string[],
  ch: Channel,
  shouldStop: () => boolean,
  start: StartMessage,
  opts: SessionOptions,
): Promise<unknown> {
  switch (job.kind) {
    case 'probe':
      return null;
    case 'search': {
      const data = { w: view(views, 'w'), alpha: view(views, 'alpha'), discretize: view(views, 'discretize'), classNames };
      for await (const event of runSearch({ config: job.config, data, resume: job.resume, shouldStop, progressEvery: job.progressEvery })) {
        ch.send({ type: 'event', event: event as never });
      }
      return null;
    }
    case 'discretize': {
      const r = await discretizeCheckpoint({
        checkpoint: job.checkpoint,
        method: job.method,
        data: job.method === 'decorrelation' ? view(views, 'discretize') : undefined,
        images: job.images,
        onProgress: (done, total) => ch.send({ type: 'progress', done, total }),
      });
      return r;
    }
    case 'retrain': {
      const data = { train: view(views, 'train'), test: view(views, 'test'), classNames };
      for await (const event of runRetrain({ config: job.config, data, resume: job.resume, shouldStop, progressEvery: job.progressEvery })) {
        ch.send({ type: 'event', event: event as never });
      }
      return null;
    }
    case 'evaluate': {
      const { state } = retrainStateFromCheckpoint(job.checkpoint, false);
      try {
        return await evaluateNetwork(state.net, view(views, 'test'), {
          batchSize: job.batchSize,
          onProgress: (done, total) => ch.send({ type: 'progress', done, total }),
        });
      } finally {
        state.dispose();
      }
    }
    case 'check': {
      const { runCheck } = await import('./checks/index');
      return runCheck(job.name, job.options, {
        backend: start.backend,
        log: (message) => ch.send({ type: 'log', level: 'info', message }),
        progress: (done, total) => ch.send({ type: 'progress', done, total }),
        activate: (name) => activateBackend(name, { wasmPath: opts.wasmPath }),
        reactivate,
        views,
        tf,
      });
    }
  }
}
