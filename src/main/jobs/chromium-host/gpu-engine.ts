// The engine as a job process sees it when it runs in Chromium: the same event streams and results as the in-process engine.
import fs from 'node:fs';
import path from 'node:path';
import type { BatchSource } from '../../../shared/batches';
import type { BackendInfo } from '../../nas/backend';
import type { DiscretizeResult } from '../../nas/discretize/discretize-checkpoint';
import type { EvaluationResult } from '../../nas/evaluate';
import type { RetrainEvent, RetrainJob } from '../../nas/retrain';
import type { SearchEvent, SearchJob } from '../../nas/search';
import { deviceKey, type ChromiumBackend, type EngineJob, type GateReport, type SelfTestReport, type StartMessage } from '../../gpu/protocol';
import { ensureGpuBundle, gpuBundleDir, type GpuBundle } from './bundle';
import { ChromiumHost, type EngineSession, type SessionData } from './host';
import { launchHeadlessChromium, parentWindowLauncher, type ChromiumLaunchOptions, type PageLauncher } from './launchers';

export interface GpuEngineOptions {
  backend: ChromiumBackend;
  /** The workbench home: the self-test record lives there (absent: the self-test runs every session). */
  home?: string;
  /** Default: the app's hidden window when the runner offers one ($NASW_GPU_PAGES=parent), else a headless Chromium. */
  launcher?: PageLauncher;
  chromium?: ChromiumLaunchOptions;
  /** `auto`: run once per device and engine build, then trust the record; `always`; `never` (bench, diagnostics). */
  selfTest?: 'auto' | 'always' | 'never';
  tfFlags?: StartMessage['tfFlags'];
  simulate?: StartMessage['simulate'];
  log?: (line: string) => void;
  /** Build the bundle when missing or stale (default true). */
  build?: boolean;
}

interface DriveHooks {
  /** Polled every 100 ms: true → the engine stops at the next step boundary with a checkpoint. */
  shouldStop?: () => boolean;
  onProgress?: (done: number, total: number) => void;
  /** The backend passed its gates: what it is. */
  onBackend?: (info: BackendInfo) => void;
}

/** A gate or the self-test refused the backend: the job fails (resuming would not help). */
export class GpuBackendRefused extends Error {
  override readonly name = 'GpuBackendRefused';
  constructor(
    message: string,
    readonly gates: GateReport,
  ) {
    super(message);
  }
}

/** Where a job process gets its pages: the app's window if its runner offers one, else a headless Chromium. */
export async function defaultLauncher(o: ChromiumLaunchOptions = {}): Promise<PageLauncher> {
  if (process.env.NASW_GPU_PAGES === 'parent' && process.send) return parentWindowLauncher();
  return launchHeadlessChromium({ profile: process.env.NASW_CHROMIUM_PROFILE === 'gpu' ? 'gpu' : 'software', ...o });
}

/** Self-test passes on record, per engine build: { stamp, passes: { deviceKey: report } }. */
class SelfTestRecord {
  constructor(
    private readonly file: string | null,
    private readonly stamp: string,
  ) {}

  read(): Record<string, SelfTestReport> {
    if (!this.file) return {};
    try {
      const r = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { stamp?: string; passes?: Record<string, SelfTestReport> };
      return r.stamp === this.stamp ? (r.passes ?? {}) : {};
    } catch {
      return {};
    }
  }

  add(key: string, report: SelfTestReport): void {
    if (!this.file) return;
    const passes = { ...this.read(), [key]: { ...report, cached: undefined } };
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify({ stamp: this.stamp, passes }, null, 2) + '\n');
    fs.renameSync(tmp, this.file);
  }
}

export class GpuEngine {
  /** The backend and device of the last session that passed the gates. */
  info: BackendInfo | null = null;
  gates: GateReport | null = null;
  private readonly record: SelfTestRecord;

  private constructor(
    private readonly host: ChromiumHost,
    readonly bundle: GpuBundle,
    private readonly o: GpuEngineOptions,
  ) {
    this.record = new SelfTestRecord(o.home ? path.join(o.home, 'gpu-self-tests.json') : null, bundle.stamp);
  }

  static async open(o: GpuEngineOptions): Promise<GpuEngine> {
    const log = o.log ?? (() => {});
    const bundle = o.build === false ? { dir: gpuBundleDir(), stamp: 'unchecked' } : await ensureGpuBundle({ log });
    const launcher = o.launcher ?? (await defaultLauncher(o.chromium));
    try {
      const host = await ChromiumHost.start({ bundleDir: bundle.dir, launcher, log, where: () => (process.env.NASW_GPU_WHERE === 'page' ? 'page' : 'worker') });
      return new GpuEngine(host, bundle, o);
    } catch (e) {
      await launcher.close();
      throw e;
    }
  }

  get launcher(): PageLauncher {
    return this.host.launcher;
  }

  private async session(job: EngineJob, data: SessionData): Promise<EngineSession> {
    const selfTest = this.o.selfTest ?? 'auto';
    return this.host.open(
      {
        backend: this.o.backend,
        job,
        selfTest: selfTest !== 'never',
        selfTestOnRecord: selfTest === 'auto' ? this.record.read() : undefined,
        tfFlags: this.o.tfFlags,
        simulate: this.o.simulate,
      },
      data,
    );
  }

  /**
   * Drive a session to its end: the backend report (gates) first, events and progress as they come.
   * Returns the result; throws GpuBackendRefused, an Error for a failed job, HostGoneError if the host dies.
   */
  private async *drive(session: EngineSession, hooks: DriveHooks = {}): AsyncGenerator<{ type: string } & Record<string, unknown>, unknown> {
    const { shouldStop, onProgress } = hooks;
    let stopSent = false;
    const poll = shouldStop
      ? setInterval(() => {
          if (!stopSent && shouldStop()) {
            stopSent = true;
            session.stop();
          }
        }, 100)
      : undefined;
    try {
      for await (const m of session.messages()) {
        switch (m.type) {
          case 'backend': {
            this.gates = m.gates;
            this.info = { ...m.info, backend: m.info.backend, notes: [...m.info.notes, `pages: ${this.host.launcher.label}`] } as BackendInfo;
            const st = m.gates.selfTest;
            if (st && st.passed && !st.cached) this.record.add(deviceKey(m.gates.backend, m.gates.device, (await session.env).userAgent), st);
            hooks.onBackend?.(this.info);
            break;
          }
          case 'refused':
            this.gates = m.gates;
            throw new GpuBackendRefused(m.reason, m.gates);
          case 'event':
            yield m.event;
            break;
          case 'progress':
            onProgress?.(m.done, m.total);
            break;
          case 'log':
            break;
          case 'failed':
            throw new Error(m.error);
          case 'result':
            return m.result;
        }
      }
      throw new Error('the engine session ended without a result');
    } finally {
      if (poll) clearInterval(poll);
      await session.close();
    }
  }

  /** runSearch, in Chromium: the same events, checkpoint bytes included. */
  async *search(job: SearchJob): AsyncGenerator<SearchEvent> {
    const { data } = job;
    const session = await this.session(
      { kind: 'search', config: job.config, resume: job.resume, progressEvery: job.progressEvery },
      { views: { w: data.w, alpha: data.alpha, discretize: data.discretize }, classNames: data.classNames },
    );
    yield* this.drive(session, { shouldStop: job.shouldStop }) as AsyncGenerator<SearchEvent>;
  }

  /** runRetrain, in Chromium. */
  async *retrain(job: RetrainJob): AsyncGenerator<RetrainEvent> {
    const { data } = job;
    const session = await this.session(
      { kind: 'retrain', config: job.config, resume: job.resume, progressEvery: job.progressEvery },
      { views: { train: data.train, test: data.test }, classNames: data.classNames },
    );
    yield* this.drive(session, { shouldStop: job.shouldStop }) as AsyncGenerator<RetrainEvent>;
  }

  /** discretizeCheckpoint, in Chromium. */
  async discretize(
    job: { checkpoint: Uint8Array; method: 'value' | 'decorrelation'; data?: BatchSource; images?: number } & Pick<DriveHooks, 'onProgress' | 'onBackend'>,
  ): Promise<DiscretizeResult> {
    const session = await this.session({ kind: 'discretize', checkpoint: job.checkpoint, method: job.method, images: job.images }, { views: job.data ? { discretize: job.data } : {}, classNames: [] });
    return (await drain(this.drive(session, job))) as DiscretizeResult;
  }

  /** The test split through a retrain checkpoint, in Chromium. */
  async evaluate(checkpoint: Uint8Array, test: BatchSource, opts: { batchSize: number } & Pick<DriveHooks, 'onProgress' | 'onBackend'>): Promise<EvaluationResult> {
    const session = await this.session({ kind: 'evaluate', checkpoint, batchSize: opts.batchSize }, { views: { test }, classNames: [] });
    return (await drain(this.drive(session, opts))) as EvaluationResult;
  }

  /** Gates (and the self-test) only. Throws GpuBackendRefused with the gates when refused. */
  async probe(): Promise<GateReport> {
    const session = await this.session({ kind: 'probe' }, { views: {}, classNames: [] });
    await drain(this.drive(session));
    return this.gates!;
  }

  /** A diagnostic in the bundle (ops, search-parity, self-test, bench). */
  async check(name: string, options?: unknown, data: SessionData = { views: {}, classNames: [] }, onProgress?: (done: number, total: number) => void): Promise<unknown> {
    const session = await this.session({ kind: 'check', name, options }, data);
    return drain(this.drive(session, { onProgress }));
  }

  async close(): Promise<void> {
    await this.host.close();
  }
}

async function drain(gen: AsyncGenerator<unknown, unknown>): Promise<unknown> {
  for (;;) {
    const r = await gen.next();
    if (r.done) return r.value;
  }
}
