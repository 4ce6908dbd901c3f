// Measures the store's write cost per epoch row (SearchEpochMetrics with 14×8 α softmax for both cell types).
// Usage: npx tsx src/main/store/testing/measure-epoch-writes.ts [count=2000] [folder=os.tmpdir()]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../store';
import { sampleSearchConfig, sampleSearchMetrics } from './fixtures';

const count = Number(process.argv[2] ?? 2000);
const dir = fs.mkdtempSync(path.join(process.argv[3] ?? os.tmpdir(), 'nasw-bench-'));
const dbPath = path.join(dir, 'workbench.sqlite');
const store = openStore(dbPath);
const metrics = Array.from({ length: count }, (_, e) => sampleSearchMetrics(e));
const newRun = () => store.runs.create({ kind: 'search', config: sampleSearchConfig({ epochs: count }), codeVersion: 'bench' }).id;

interface Timing {
  /** Wall time of each call, µs. */
  us: number[];
  /** Process CPU time (user + system) per call, µs: less sensitive than wall time to a busy machine. */
  cpu: number;
}

function timeEach(n: number, fn: (i: number) => void): Timing {
  const us: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  return { us, cpu: (cpu.user + cpu.system) / n };
}

function line(name: string, { us, cpu }: Timing, extra = ''): string {
  const s = [...us].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  return `${name.padEnd(46)} median ${q(0.5).padStart(7)} µs  p90 ${q(0.9).padStart(7)}  p99 ${q(0.99).padStart(8)}  cpu/call ${cpu.toFixed(1).padStart(7)}${extra}`;
}

// Warm-up: statements prepared, file grown.
const warm = newRun();
for (let e = 0; e < 200; e++) store.epochs.recordSearch(warm, metrics[e]!);

const json = timeEach(count, (i) => JSON.stringify(metrics[i]));

const inTx = newRun();
let batch: Timing = { us: [], cpu: 0 };
const t0 = process.hrtime.bigint();
store.transaction(() => {
  batch = timeEach(count, (i) => store.epochs.recordSearch(inTx, metrics[i]!));
});
const batchTotalUs = Number(process.hrtime.bigint() - t0) / 1000;

const perTx = newRun();
const live = timeEach(count, (i) => store.epochs.recordSearch(perTx, metrics[i]!)); // autocommit: one transaction per row
const redo = timeEach(count, (i) => store.epochs.recordSearch(perTx, { ...metrics[i]!, valAcc: 0.5 })); // a resume redoing epochs
const summary = timeEach(200, () => store.runs.summary(perTx));
const scalars = timeEach(50, () => store.epochs.scalars(perTx));

console.log(
  `${count} epoch rows per case; metrics JSON ${JSON.stringify(metrics[0]).length} bytes; SQLite in ${dir}; node ${process.version}; ` +
    `load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`,
);
console.log(line('JSON.stringify(metrics) alone', json));
console.log(line(`insert, all ${count} in one transaction`, batch, `  (with commit: ${(batchTotalUs / count).toFixed(1)} µs/row)`));
console.log(line('insert, one transaction per row (live run)', live));
console.log(line('upsert over an existing epoch, one tx per row', redo));
console.log(line(`runs.summary, ${count}-epoch run (read)`, summary));
console.log(line(`epochs.scalars, ${count}-epoch run (read)`, scalars));
console.log(`integrity: ${JSON.stringify(store.integrityCheck())}; file ${(fs.statSync(dbPath).size / 1e6).toFixed(1)} MB`);
store.close();
fs.rmSync(dir, { recursive: true, force: true });
