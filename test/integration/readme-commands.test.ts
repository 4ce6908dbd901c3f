// Every shell command in README.md's code blocks, run: verbatim where feasible, else at a reduced size written out here.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { writeIdx } from '../fixtures/data/builders';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin', 'nasw.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-readme-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** The commands of README.md's fenced shell blocks, comments stripped, in order. */
function readmeCommands(): string[] {
  const text = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    for (const line of m[1]!.split('\n')) {
      const command = line.replace(/\s+#\s.*$/, '').trim();
      if (command) out.push(command);
    }
  }
  return out;
}

/**
 * Commands not run here, and why. `npx nasw …` commands all run below, as `node bin/nasw.js --home <tmp> …`
 * (what `npx nasw` resolves to, on a fresh data folder).
 */
const EXEMPT: Record<string, string> = {
  'npm install': 'sets up node_modules, which this suite runs from',
  'npm start': 'test/integration/npm-start.test.ts starts it (browser-mode fallback where Electron cannot run)',
  'npm test': 'the suite this test is part of',
};

/** What each README command runs as here: verbatim, or with the substitution written out. */
const RUNS: Record<string, string[]> = {
  // A 60 + 20-image IDX set in Fashion-MNIST's layout, instead of the 70,000-image one (the path is the only change).
  'npx nasw dataset import /usr/share/datasets/fashion-mnist': ['dataset', 'import', '<tiny-fashion-mnist>'],
  // 2 steps per epoch, batch 8 and 16 discretization images instead of the whole synthetic split; Ctrl+C after epoch 1.
  'npx nasw search --dataset synthetic --cells 2 --channels 8 --epochs 3 --backend wasm': [
    'search', '--dataset', 'synthetic', '--cells', '2', '--channels', '8', '--epochs', '3', '--backend', 'wasm',
    '--steps', '2', '--batch', '8', '--discretize-images', '16', '--json',
  ],
  // <id>: the search interrupted above (run 1).
  'npx nasw resume <id>': ['resume', '1', '--json'],
  'npx nasw discretize 1 --method decorrelation': ['discretize', '1', '--method', 'decorrelation'],
  'npx nasw discretize 1 --method value --checkpoint 2': ['discretize', '1', '--method', 'value', '--checkpoint', '2'],
  'npx nasw runs list': ['runs', 'list'],
  // Verbatim: on wasm (the default backend here) it refuses batch 96 before the first step. The paper-size step at the
  // batch it names runs in src/main/nas/retrain-paper-size.test.ts.
  'npx nasw retrain --genotype DARTS_V2 --epochs 600': ['retrain', '--genotype', 'DARTS_V2', '--epochs', '600'],
  'npx nasw count --genotype DARTS_V2': ['count', '--genotype', 'DARTS_V2'],
  // Without the Chromium job host's self-tests (about 2 minutes), which test/gpu covers.
  'npx nasw doctor': ['doctor', '--no-chromium'],
};

async function nasw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, '--home', home, ...args], { cwd: root, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const ran = new Set<string>();
async function readme(command: string, substitute: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  ran.add(command);
  return nasw(RUNS[command]!.map((a) => substitute[a] ?? a));
}

it('knows every command in the README, and every command it runs is still in the README', () => {
  const commands = readmeCommands();
  const known = new Set([...Object.keys(EXEMPT), ...Object.keys(RUNS)]);
  expect(commands.filter((c) => !known.has(c)), 'README commands this test does not run: add them to RUNS or EXEMPT').toEqual([]);
  expect([...known].filter((c) => !commands.includes(c)), 'commands this test runs that the README no longer shows').toEqual([]);
});

it('runs the README commands', async () => {
  // The search, interrupted after its first epoch (Ctrl+C), then `nasw resume`.
  const searchCommand = 'npx nasw search --dataset synthetic --cells 2 --channels 8 --epochs 3 --backend wasm';
  ran.add(searchCommand);
  const search = spawn(process.execPath, [bin, '--home', home, ...RUNS[searchCommand]!], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  search.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (/"event":"epoch"/.test(out) && !search.killed) search.kill('SIGINT');
  });
  await new Promise((resolve) => search.on('exit', resolve));
  expect(out).toMatch(/"event":"cancelling"/);
  expect(out).not.toMatch(/never trains/); // α trains in epochs 2 and 3 (30 % of 3 epochs frozen)

  const resumed = await readme('npx nasw resume <id>');
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!)).toMatchObject({ runId: 1, status: 'completed' });
  const shown = JSON.parse((await nasw(['runs', 'show', '1', '--json'])).stdout) as { epochs: { metrics: { alphaFrozen: boolean } }[] };
  expect(shown.epochs.map((e) => e.metrics.alphaFrozen)).toEqual([true, false, false]);

  const decorrelation = await readme('npx nasw discretize 1 --method decorrelation');
  expect(decorrelation.code, decorrelation.stderr).toBe(0);
  expect(decorrelation.stdout).toMatch(/Genotype\(normal=\[/);
  const value = await readme('npx nasw discretize 1 --method value --checkpoint 2');
  expect(value.code, value.stderr).toBe(0);
  expect(value.stdout).toMatch(/Genotype\(normal=\[/);

  const list = await readme('npx nasw runs list');
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/^1 +search +completed/m);

  const retrain = await readme('npx nasw retrain --genotype DARTS_V2 --epochs 600');
  expect(retrain.code).toBe(1);
  expect(retrain.stdout + retrain.stderr).toMatch(/needs about 63\.4 GiB of memory for one training step at batch 96 .*--batch 5 fits/);

  const count = await readme('npx nasw count --genotype DARTS_V2');
  expect(count.code).toBe(0);
  expect(count.stdout).toMatch(/parameters +3,349,342/);

  const idx = path.join(home, 'fashion-mnist');
  await writeIdx(idx, { train: 60, test: 20, gzip: true });
  const imported = await readme('npx nasw dataset import /usr/share/datasets/fashion-mnist', { '<tiny-fashion-mnist>': idx });
  expect(imported.code, imported.stderr).toBe(0);
  expect(imported.stdout).toMatch(/fashion-mnist/);

  const doctor = await readme('npx nasw doctor');
  expect(doctor.code, doctor.stderr).toBe(0);
  expect(doctor.stdout).toMatch(/wasm/);

  expect([...ran].sort()).toEqual(Object.keys(RUNS).sort());
});
