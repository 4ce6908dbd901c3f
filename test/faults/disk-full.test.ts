// Fault: the disk fills up during a search. The store stays sound, nothing torn is kept, the run is recorded
// interrupted (resumable) saying the disk is full, and after space is freed `nasw resume` completes it.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSyntheticDataset } from '../../src/main/data/synthetic';
import { DISK_RESERVE_BYTES } from '../../src/main/jobs/disk-full';
import { openStore } from '../../src/main/store';
import { homePaths } from '../../src/main/store/home';

const execFileP = promisify(execFile);
const bin = path.resolve(__dirname, '../../bin/nasw.js');
const preload = pathToFileURL(path.resolve(__dirname, 'disk-full-preload.mjs')).href;

// The search's checkpoints are ~256 KB each: this much room for the run takes one or two, never all six.
const ROOM = 640 * 1024;
const EPOCHS = 6;
const SEARCH = ['search', '--cells', '2', '--channels', '4', '--nodes', '2', '--epochs', String(EPOCHS), '--steps', '2', '--batch', '8', '--freeze', '0', '--backend', 'wasm', '--threads', '1', '--discretize-images', '16', '--json'];

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-disk-full-'));
const filler = path.join(home, 'filler.bin');
/** 'tmpfs': the home is a small tmpfs (root on Linux); 'injected': writes under runs/ fail after ROOM bytes. */
let disk: 'tmpfs' | 'injected' = 'injected';
let env: NodeJS.ProcessEnv = process.env;

function mountSmallTmpfs(): boolean {
  if (process.platform !== 'linux' || process.env.NASW_TEST_DISK_FULL === 'injected') return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m,mode=0700', 'tmpfs', home], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // not root, or no mount(8): fall back to the injected short write
  }
}

beforeAll(async () => {
  if (mountSmallTmpfs()) {
    disk = 'tmpfs';
    // Dataset and store first, then fill the rest so only ROOM bytes are left for the run.
    await ensureSyntheticDataset(homePaths(home).datasets);
    openStore(homePaths(home).database).close();
    const st = fs.statfsSync(home);
    // The runner also sets a reserve aside in the home for recording the run's end.
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, st.bavail * st.bsize - ROOM - DISK_RESERVE_BYTES), 1));
  } else {
    env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(), NASW_DISK_FULL_UNDER: homePaths(home).runs, NASW_DISK_FULL_ROOM: String(ROOM) };
  }
});

afterAll(() => {
  if (disk === 'tmpfs') {
    try {
      execFileSync('umount', [home], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', home], { stdio: 'ignore' });
    }
  }
  fs.rmSync(home, { recursive: true, force: true });
});

async function nasw(args: string[], withEnv: NodeJS.ProcessEnv): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }> {
  const r = await execFileP(process.execPath, [bin, '--home', home, ...args], { env: withEnv, maxBuffer: 64 << 20 }).then(
    (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.code, lines, stderr: r.stderr };
}

/** The store as it is on disk, read with plain SQL (not the store's own queries). */
function inspect(runId: number) {
  const db = new Database(homePaths(home).database, { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      run: db.prepare('SELECT status, error, folder FROM runs WHERE id = ?').get(runId) as { status: string; error: string | null; folder: string },
      epochs: (db.prepare('SELECT epoch FROM epochs WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number }[]).map((r) => r.epoch),
      checkpoints: db.prepare('SELECT epoch, step, path, bytes, sha256 FROM checkpoints WHERE run_id = ? ORDER BY epoch, step').all(runId) as { epoch: number; step: number | null; path: string; bytes: number; sha256: string }[],
    };
  } finally {
    db.close();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('a full disk during a search', () => {
  it('records the run interrupted saying the disk is full, keeps only whole files, and resumes once space is freed', async () => {
    const first = await nasw(SEARCH, env);
    const done = first.lines.find((l) => l.event === 'done')!;
    expect(done, first.stderr).toMatchObject({ event: 'done', status: 'interrupted' });
    const runId = Number(done.runId);
    expect(String(done.error)).toMatch(new RegExp(`the disk is full: .*ckpt-e\\d{5}-s000000\\.nasw could not be written \\(\\d+ of \\d+ bytes\\); free space, then: nasw resume ${runId}`));

    const after = inspect(runId);
    expect(after.integrity).toBe('ok');
    expect(after.run.status).toBe('interrupted');
    expect(after.run.error).toMatch(/the disk is full/);
    const kept = after.epochs.length;
    expect(kept, `${disk}: epochs done before the disk filled`).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(EPOCHS);
    expect(after.epochs).toEqual(range(kept));
    // Every recorded checkpoint is on disk whole; no other (torn or temporary) file is in the run folder.
    expect(after.checkpoints.map((c) => [c.epoch, c.step])).toEqual(range(kept).map((e) => [e, null]));
    for (const c of after.checkpoints) {
      expect(fs.statSync(c.path).size).toBe(c.bytes);
      expect(sha256(c.path)).toBe(c.sha256);
    }
    const ckptDir = path.join(after.run.folder, 'checkpoints');
    expect(fs.readdirSync(ckptDir).sort()).toEqual(after.checkpoints.map((c) => path.basename(c.path)).sort());
    expect(fs.readdirSync(after.run.folder).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const logged = fs.readFileSync(path.join(after.run.folder, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { epoch: number }).epoch);
    expect(logged.slice(0, kept)).toEqual(range(kept));

    // Free the space (or stop injecting the fault) and resume.
    if (disk === 'tmpfs') fs.rmSync(filler);
    const resumed = await nasw(['resume', String(runId), '--json'], process.env);
    expect(resumed.lines.at(-1), resumed.stderr).toMatchObject({ status: 'completed' });
    const end = inspect(runId);
    expect(end.integrity).toBe('ok');
    expect(end.run).toMatchObject({ status: 'completed', error: null });
    expect(end.epochs).toEqual(range(EPOCHS));
    expect(end.checkpoints.map((c) => c.epoch)).toEqual(range(EPOCHS));
    for (const c of end.checkpoints) expect(sha256(c.path)).toBe(c.sha256);
    expect(fs.readdirSync(ckptDir)).toHaveLength(EPOCHS);
  });
});
