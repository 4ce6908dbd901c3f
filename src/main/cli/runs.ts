// `nasw runs list|show|compare`, `cancel`, `resume`, `export`, `queue drain`: the run store from the command line.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { RunSummary } from '../store';
import { JobRunner } from '../jobs/job-runner';
import { ownProcess, processVerdict } from '../jobs/process-identity';
import { reconcileStaleRuns } from '../jobs/stale-runs';
import { homePaths } from '../store/home';
import { findRun } from './discretize';
import { openHomeStore, runInForeground, spawnDrainer } from './job-session';
import { formatSeconds, output } from './output';
import { isSearchEpochMetrics } from '../../shared/api/dto';

const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);
const num = (v: number | null, d = 3) => (v === null ? '-' : v.toFixed(d));

function row(r: RunSummary): string[] {
  return [
    String(r.id),
    r.kind,
    r.status,
    r.name.slice(0, 28),
    r.dataset,
    r.space ?? '-',
    `${r.epochsDone}${r.epochsPlanned ? `/${r.epochsPlanned}` : ''}`,
    pct(r.bestValAcc),
    `${num(r.lastZeroRatio.normal)}/${num(r.lastZeroRatio.reduce)}`,
    r.backend ? `${r.backend}${r.deviceKind === 'gpu' ? ' (GPU)' : r.deviceKind === 'software' ? ' (software)' : ''}` : '-',
    r.startedAt ? r.startedAt.replace('T', ' ').slice(0, 16) : '-',
    r.elapsedSeconds === null ? '-' : formatSeconds(r.elapsedSeconds),
  ];
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const HEAD = ['id', 'kind', 'status', 'name', 'dataset', 'space', 'epochs', 'best val', 'zero-ratio n/r', 'backend', 'started', 'duration'];

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function registerRunsCommands(program: Command, getHome: () => string): void {
  const runs = program.command('runs').description('list, show and compare recorded runs');
  runs
    .command('list')
    .option('--kind <kind>', 'search | retrain | discretize | evaluate')
    .option('--status <status>', 'queued | running | completed | failed | cancelled | interrupted')
    .option('--json', 'JSON output', false)
    .action((flags: { kind?: string; status?: string; json: boolean }) => {
      const store = openHomeStore(getHome());
      try {
        reconcileStaleRuns(store); // a run whose job and runner are gone is interrupted, not running
        const list = store.runs.list({ kind: flags.kind as never, status: flags.status as never });
        output(flags.json).result(list, list.length ? table(HEAD, list.map(row)) : 'no runs yet');
      } finally {
        store.close();
      }
    });
  runs
    .command('show <run>')
    .description('a run with its epochs, checkpoints and genotypes (id or folder)')
    .option('--json', 'JSON output', false)
    .action((ref: string, flags: { json: boolean }) => {
      const store = openHomeStore(getHome());
      try {
        reconcileStaleRuns(store);
        const d = store.runDetail(findRun(store, ref))!;
        const r = d.run;
        const lines = [
          `run ${r.id} — ${r.name} (${r.kind}, ${r.status}${r.error ? `: ${r.error}` : ''})`,
          `dataset ${r.dataset}, space ${r.space ?? '-'}, seed ${r.seed}, backend ${r.backend ?? r.backendChoice}${r.device ? ` — ${r.device} (${r.deviceKind})` : ''}`,
          `folder ${r.folder ?? '-'}`,
          '',
          table(
            ['epoch', 'lr', 'α', 'train loss', 'train acc', 'val loss', 'val acc', 'test acc', 'zero-ratio n/r', 'seconds'],
            // α: frozen epochs (no architecture step) apart from trained ones, so a search that never trained α shows it.
            d.epochs.map((e) => [String(e.epoch + 1), num(e.lr, 6), isSearchEpochMetrics(e.metrics) ? (e.metrics.alphaFrozen ? 'frozen' : 'trained') : '-', num(e.trainLoss, 4), pct(e.trainAcc), num(e.valLoss, 4), pct(e.valAcc), pct(e.testAcc), `${num(e.zeroRatio.normal)}/${num(e.zeroRatio.reduce)}`, num(e.seconds, 1)]),
          ),
          '',
          `checkpoints: ${d.checkpoints.map((c) => `${c.step === null ? `after epoch ${c.epoch + 1}` : `epoch ${c.epoch + 1} step ${c.step}`}${c.valid ? '' : ' (invalid)'}`).join(', ') || 'none'}`,
          ...d.genotypes.map((g) => `genotype ${g.id} (${g.method}): ${g.text}`),
        ];
        if (d.result) lines.push(`result: top-1 error ${pct(d.result.top1Error)}, top-5 error ${pct(d.result.top5Error)}, ${d.result.params ?? '-'} parameters, ${d.result.madds ?? '-'} multiply-adds`);
        output(flags.json).result(d, lines.join('\n'));
      } finally {
        store.close();
      }
    });
  runs
    .command('compare <runs...>')
    .description('two or more runs side by side: final and best figures, backend, genotypes')
    .option('--json', 'JSON output', false)
    .action((refs: string[], flags: { json: boolean }) => {
      const store = openHomeStore(getHome());
      try {
        const details = refs.map((ref) => store.runDetail(findRun(store, ref))!);
        const rows = details.map((d) => {
          const last = d.epochs.at(-1);
          return [String(d.run.id), d.run.name.slice(0, 24), d.run.kind, String(d.epochs.length), pct(d.run.bestValAcc), pct(last?.valAcc ?? null), num(last?.trainLoss ?? null, 4), `${num(d.run.lastZeroRatio.normal)}/${num(d.run.lastZeroRatio.reduce)}`, formatSeconds(d.run.trainSeconds), d.run.backend ?? '-'];
        });
        const text = [table(['id', 'name', 'kind', 'epochs', 'best val', 'final val', 'final train loss', 'zero-ratio n/r', 'compute', 'backend'], rows), ''];
        for (const d of details) for (const g of d.genotypes) text.push(`run ${d.run.id} genotype ${g.id} (${g.method}): ${g.text}`);
        output(flags.json).result(details, text.join('\n').trimEnd());
      } finally {
        store.close();
      }
    });

  program
    .command('cancel <run>')
    .description('cancel a queued run, or stop a running one at the next step with a final checkpoint')
    .option('--json', 'JSON output', false)
    .action(async (ref: string, flags: { json: boolean }) => {
      const home = getHome();
      const store = openHomeStore(home);
      try {
        const id = findRun(store, ref);
        // Queued: leaves the queue. Running elsewhere: SIGINT to its job process once confirmed to be it
        // (it stops at its next step with a checkpoint and its runner records `cancelled`); a run whose
        // processes are gone is recorded interrupted instead, with a message saying so.
        await new JobRunner({ home, store }).cancel(id);
        output(flags.json).result({ runId: id, requested: 'cancel' }, `cancel requested for run ${id}`);
      } finally {
        store.close();
      }
    });

  program
    .command('resume <run>')
    .description('continue an interrupted or cancelled run from its last good checkpoint, along the same trajectory')
    .option('--detach', 'queue it and return', false)
    .option('--json', 'JSON lines', false)
    .action(async (ref: string, flags: { detach: boolean; json: boolean }) => {
      const out = output(flags.json);
      const home = getHome();
      const probe = openHomeStore(home);
      let id: number;
      try {
        id = findRun(probe, ref);
        if (flags.detach) {
          const runner = new JobRunner({ home, store: probe });
          runner.reconcile();
          await runner.requeue(id);
        }
      } finally {
        probe.close();
      }
      if (flags.detach) {
        spawnDrainer(home);
        out.result({ runId: id, status: 'queued' }, `run ${id} queued to resume`);
        return;
      }
      const r = await runInForeground(home, out, async (runner) => {
        await runner.resume(id);
        return id;
      });
      r.store.close();
      out.result({ runId: id, status: r.status, error: r.error ?? null }, `run ${id} ${r.status}${r.error ? ` (${r.error})` : ''}`);
      if (r.status !== 'completed') process.exitCode = 1;
    });

  program
    .command('export <run>')
    .description('a run\'s per-epoch metrics and genotypes as JSON or CSV')
    .option('--format <format>', 'json | csv', 'json')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((ref: string, flags: { format: string; output?: string }) => {
      const store = openHomeStore(getHome());
      try {
        const d = store.runDetail(findRun(store, ref))!;
        let text: string;
        if (flags.format === 'json') {
          text = JSON.stringify({ run: d.run, epochs: d.epochs, genotypes: d.genotypes, checkpoints: d.checkpoints, result: d.result }, null, 2);
        } else if (flags.format === 'csv') {
          const cols = ['epoch', 'lr', 'trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'testLoss', 'testAcc', 'zeroRatioNormal', 'zeroRatioReduce', 'seconds'];
          const lines = [cols.join(',')];
          for (const e of d.epochs) {
            lines.push([e.epoch, e.lr, e.trainLoss, e.trainAcc, e.valLoss, e.valAcc, e.testLoss, e.testAcc, e.zeroRatio.normal, e.zeroRatio.reduce, e.seconds].map(csvCell).join(','));
          }
          text = lines.join('\n');
        } else {
          throw new Error(`--format must be json or csv, got '${flags.format}'`);
        }
        if (flags.output) fs.writeFileSync(path.resolve(flags.output), text + '\n');
        else process.stdout.write(text + '\n');
      } finally {
        store.close();
      }
    });

  program
    .command('queue')
    .description('the job queue')
    .command('drain')
    .description('run queued jobs until the queue is empty (what --detach starts in the background)')
    .action(async () => {
      const home = getHome();
      const lock = path.join(homePaths(home).home, 'queue.lock');
      fs.mkdirSync(path.dirname(lock), { recursive: true });
      let fd: number;
      try {
        fd = fs.openSync(lock, 'wx');
      } catch {
        // "pid start-token" (older drainers wrote the pid alone): a reused pid is not a live drainer.
        const [pid, start] = fs.readFileSync(lock, 'utf8').trim().split(/ (.*)/s);
        const holder = { pid: Number(pid), start: start ?? null };
        if (Number.isInteger(holder.pid) && holder.pid > 0 && ['same', 'unknown'].includes(processVerdict(holder))) return; // another drainer is at it
        fs.rmSync(lock, { force: true });
        fd = fs.openSync(lock, 'wx');
      }
      const self = ownProcess();
      fs.writeSync(fd, self.start === null ? String(self.pid) : `${self.pid} ${self.start}`);
      fs.closeSync(fd);
      const store = openHomeStore(home);
      const runner = new JobRunner({ home, store });
      try {
        runner.reconcile();
        await runner.idle(500);
      } finally {
        await runner.close();
        store.close();
        fs.rmSync(lock, { force: true });
      }
    });
}
