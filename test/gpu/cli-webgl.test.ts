// `nasw search --backend webgl` end to end through the headless-Chromium job host: recorded as webgl on a
// software device; Chromium killed mid-epoch → interrupted → `nasw resume` ends where cpu ends; the
// discretization job runs in the host too.
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { formatGenotype, parseGenotype } from '../../src/shared/genotype-text';
import type { SearchEpochMetrics } from '../../src/shared/metrics';
import { searchConfigSchema, type SearchConfig } from '../../src/shared/search-config';
import type { JobEvent } from '../../src/shared/jobs';
import { chromiumArgs, findChromium } from '../../src/main/jobs/chromium-host/launchers';
import { JobRunner } from '../../src/main/jobs/job-runner';
import { openSearchData } from '../../src/main/jobs/search-data';
import { discretizeCheckpoint } from '../../src/main/nas/discretize/discretize-checkpoint';
import { runSearch } from '../../src/main/nas/search';
import { readSearchCheckpoint } from '../../src/main/nas/search-state';
import { useBackend } from '../../src/main/nas/testing/backends';
import { openStore } from '../../src/main/store';
import { homePaths } from '../../src/main/store/home';

const MINUTES = 60_000;
const bin = path.resolve(__dirname, '../../bin/nasw.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-gpu-cli-'));
const SEARCH = ['--cells', '3', '--channels', '4', '--nodes', '2', '--ops', 'none,skip_connect,sep_conv_3x3', '--epochs', '3', '--steps', '2', '--batch', '8', '--freeze', '0', '--discretize-images', '16'];

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const jsonLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Child processes of `pid` (Linux ps). */
function children(pid: number): { pid: number; comm: string }[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [p, ...c] = l.trim().split(/\s+/);
        return { pid: Number(p), comm: c.join(' ') };
      });
  } catch {
    return [];
  }
}

describe('nasw search --backend webgl (headless Chromium job host)', () => {
  let runId = 0;

  it(
    'runs in the Chromium host; killing Chromium mid-epoch records the run as interrupted',
    async () => {
      if (!findChromium() || !fs.existsSync(findChromium()!)) throw new Error('Chromium is not installed (apt-get install -y chromium)');
      const child = spawn(process.execPath, [bin, '--home', home, 'search', ...SEARCH, '--backend', 'webgl', '--json'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let killed: { pid: number; comm: string } | null = null;
      const store = openStore(homePaths(home).database);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no second epoch within 6 minutes:\n${out.slice(-2000)}\n${err.slice(-2000)}`)), 6 * MINUTES);
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const lines = jsonLines(out);
            // A checkpoint closes epoch 0 and epoch 1 has begun: kill the host mid-epoch.
            if (!killed && lines.some((l) => l.event === 'epoch') && lines.some((l) => l.event === 'progress' && l.epoch === 1)) {
              const run = store.runs.list().find((r) => r.status === 'running');
              const chromium = run?.pid ? children(run.pid).find((c) => /chrom/i.test(c.comm)) : undefined;
              if (!chromium) return reject(new Error(`no Chromium under the job process ${run?.pid}`));
              killed = chromium;
              process.kill(chromium.pid, 'SIGKILL');
              clearTimeout(timer);
              resolve();
            }
          });
          void exited.then(() => reject(new Error(`nasw exited before the kill:\n${out.slice(-2000)}\n${err.slice(-2000)}`)));
        });
        expect(await exited).toBe(1);
      } finally {
        store.close();
        if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      }
      const lines = jsonLines(out);
      const backend = lines.find((l) => l.event === 'backend')!.backend as { backend: string; kind: string; notes: string[] };
      expect(backend).toMatchObject({ backend: 'webgl', kind: 'software' });
      // First use of this device in this home: the self-test ran and is in the run's notes.
      expect(backend.notes.join('\n')).toMatch(/self-test vs cpu: passed, max relative gradient difference \S+ \(tolerance 1e-4\)(?!, on record)/);
      const done = lines.at(-1)!;
      expect(done).toMatchObject({ event: 'done', status: 'interrupted', backend: 'webgl' });
      expect(String(done.error)).toMatch(/GPU job host went away mid-run: Chromium was killed by SIGKILL/);
      runId = Number(done.runId);
    },
    8 * MINUTES,
  );

  it(
    'resumes from the last checkpoint in a new host (self-test on record) and ends where the same search on cpu ends',
    async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [bin, '--home', home, 'resume', String(runId), '--json'], { maxBuffer: 64 << 20 });
      const lines = jsonLines(stdout);
      expect(lines.at(-1)).toMatchObject({ status: 'completed' });
      const backend = lines.find((l) => l.event === 'backend')!.backend as { notes: string[] };
      expect(backend.notes.join('\n')).toMatch(/self-test vs cpu: passed.*on record for this device/);

      const store = openStore(homePaths(home).database);
      try {
        const run = store.runs.require(runId);
        expect(run).toMatchObject({ status: 'completed', backendChoice: 'webgl', backend: 'webgl', deviceKind: 'software' });
        expect(run.device).toMatch(/SwiftShader/);
        expect(store.epochs.list(runId).map((e) => e.epoch)).toEqual([0, 1, 2]);
        const record = JSON.parse(fs.readFileSync(path.join(run.folder!, 'config.json'), 'utf8')) as { backend: { backend: string; kind: string } };
        expect(record.backend).toMatchObject({ backend: 'webgl', kind: 'software' });

        // The same search on cpu in this process, from the same cached data the host served. A resume from the
        // wrong place or with the wrong optimizer state would move the losses of epochs 1 and 2 by far more.
        const config = searchConfigSchema.parse(run.config) as SearchConfig;
        await useBackend('cpu');
        const data = await openSearchData(home, config);
        const cpuEpochs: SearchEpochMetrics[] = [];
        let last: Uint8Array | null = null;
        for await (const ev of runSearch({ config: { ...config, backend: 'cpu' }, data })) {
          if (ev.type !== 'epoch') continue;
          cpuEpochs.push(ev.metrics);
          last = ev.checkpoint;
        }
        const recorded = store.epochs.list(runId);
        cpuEpochs.forEach((m, i) => {
          expect(Math.abs(recorded[i]!.trainLoss! - m.trainLoss) / m.trainLoss, `epoch ${i} train loss`).toBeLessThan(1e-4);
          expect(Math.abs(recorded[i]!.valLoss! - m.valLoss) / m.valLoss, `epoch ${i} val loss`).toBeLessThan(1e-4);
        });
        const want = readSearchCheckpoint(last!).tensors;
        const got = readSearchCheckpoint(fs.readFileSync(store.checkpoints.list(runId)[0]!.path)).tensors;
        let worstWeight = 0;
        for (const [name, t] of want) {
          if (!name.startsWith('w/')) continue;
          const u = got.get(name)!.data;
          const scale = Math.max(...t.data.map(Math.abs), 1e-6);
          worstWeight = Math.max(worstWeight, Math.max(...t.data.map((v, i) => Math.abs(v - u[i]!))) / scale);
        }
        expect(worstWeight).toBeLessThan(1e-3);
        // α itself starts at 1e-3·N(0,1) and Adam turns tiny gradient differences into full-size steps: compare softmax(α).
        const softmaxGap = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i]![j]!))));
        const lastCpu = cpuEpochs.at(-1)!.alphaSoftmax;
        const lastRun = (recorded.at(-1)!.metrics as SearchEpochMetrics).alphaSoftmax;
        expect(Math.max(softmaxGap(lastRun.normal, lastCpu.normal), softmaxGap(lastRun.reduce, lastCpu.reduce))).toBeLessThan(1e-4);

        // The discretization job reads the parent's backend choice: it runs in the host too, and agrees with cpu.
        const { stdout: d } = await promisify(execFile)(process.execPath, [bin, '--home', home, 'discretize', String(runId), '--method', 'decorrelation', '--images', '16', '--json'], { maxBuffer: 64 << 20 });
        const g = jsonLines(d).at(-1)!;
        const cpuResult = await discretizeCheckpoint({ checkpoint: fs.readFileSync(store.checkpoints.list(runId)[0]!.path), method: 'decorrelation', data: data.discretize, images: 16 });
        expect(formatGenotype(parseGenotype(String(g.text)))).toBe(formatGenotype(cpuResult.genotype));
        const discretizeRun = store.runs.list().find((r) => r.kind === 'discretize')!;
        expect(store.runs.require(discretizeRun.id)).toMatchObject({ status: 'completed', backend: 'webgl', deviceKind: 'software' });
      } finally {
        store.close();
        tf.disposeVariables();
      }
    },
    8 * MINUTES,
  );

  it(
    "runs through the app's page path: the job process asks its runner for the host page (hidden windows in the app; a test browser here), and a closed page interrupts the run",
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: findChromium()!, args: chromiumArgs() });
      const store = openStore(homePaths(home).database);
      const opened: string[] = [];
      let current: import('playwright-core').Page | null = null;
      const runner = new JobRunner({
        home,
        store,
        gpuPages: {
          async open(url, onGone) {
            opened.push(url);
            const page = await browser.newPage();
            page.once('close', () => onGone('the GPU host window closed'));
            await page.goto(url);
            current = page;
            return { close: () => void page.close().catch(() => undefined) };
          },
        },
      });
      const events: JobEvent[] = [];
      runner.onEvent((e) => events.push(e));
      const until = (pred: (e: JobEvent) => boolean) =>
        new Promise<JobEvent>((resolve) => {
          const found = events.find(pred);
          if (found) return resolve(found);
          const off = runner.onEvent((e) => {
            if (pred(e)) {
              off();
              resolve(e);
            }
          });
        });
      try {
        const config = { space: { ops: ['none', 'skip_connect', 'sep_conv_3x3'], cells: 3, channels: 4, nodes: 2 }, epochs: 1, batchSize: 8, stepsPerEpoch: 1, alpha: { freezeEpochs: 0 }, backend: 'webgl', data: { dataset: 'synthetic', discretizeImages: 16 } };
        const ok = await runner.submit({ kind: 'search', name: 'through the runner', config });
        await until((e) => e.type === 'status' && e.runId === ok && e.status !== 'running' && e.status !== 'queued');
        expect(store.runs.require(ok)).toMatchObject({ status: 'completed', backend: 'webgl', deviceKind: 'software' });
        expect(opened).toHaveLength(1);
        expect(new URL(opened[0]!).hostname).toBe('127.0.0.1');

        const crash = await runner.submit({ kind: 'search', name: 'window closed', config: { ...config, epochs: 2, stepsPerEpoch: 2 } });
        await until((e) => e.type === 'progress' && e.runId === crash);
        await current!.close();
        const end = await until((e) => e.type === 'status' && e.runId === crash && e.status !== 'running' && e.status !== 'queued');
        expect(end).toMatchObject({ status: 'interrupted' });
        expect(store.runs.require(crash).error).toMatch(/GPU job host went away mid-run/);
      } finally {
        await runner.close();
        store.close();
        await browser.close();
      }
    },
    6 * MINUTES,
  );
});
