// A run's folder on disk: config, metrics log, and atomically written, hashed checkpoints.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DiskFullError, isDiskFull } from './disk-full';

export interface CheckpointFile {
  epoch: number;
  step: number;
  path: string;
  bytes: number;
  sha256: string;
}

const CKPT_RE = /^ckpt-e(\d{5})-s(\d{6})\.nasw$/;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Write-then-rename, with fsyncs, so a crash or a full disk leaves either the old file or the complete new
 * one — never a torn file under the final name. `write(2)` may take fewer bytes than asked (a disk filling
 * up takes what fits, then answers ENOSPC), so it is called until every byte is down; a full disk is
 * reported as a `DiskFullError` after the temporary file is removed.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  let fd: number | undefined;
  let done = 0;
  try {
    fd = fs.openSync(tmp, 'w');
    while (done < data.length) {
      const n = fs.writeSync(fd, data, done, data.length - done);
      // No progress and no error: nothing more will fit.
      if (n <= 0) throw new DiskFullError(file, done, data.length);
      done += n;
    }
    fs.fsyncSync(fd);
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing); // close may report a deferred write error (network file systems)
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    if (isDiskFull(e) && !(e instanceof DiskFullError)) throw new DiskFullError(file, done, data.length);
    throw e;
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    // A directory that must grow to hold the new entry can be refused on a full disk too.
    fs.rmSync(tmp, { force: true });
    throw isDiskFull(e) && !(e instanceof DiskFullError) ? new DiskFullError(file, done, data.length) : e;
  }
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Directory fsync is not supported everywhere (Windows); the rename is still atomic.
  }
}

export class RunFolder {
  constructor(readonly dir: string) {}

  static create(dir: string, config: unknown, extra: Record<string, unknown> = {}): RunFolder {
    fs.mkdirSync(path.join(dir, 'checkpoints'), { recursive: true });
    const f = new RunFolder(dir);
    writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify({ ...extra, config }, null, 2));
    return f;
  }

  static open(dir: string): RunFolder {
    if (!fs.existsSync(path.join(dir, 'config.json'))) throw new Error(`${dir} is not a run folder (no config.json)`);
    return new RunFolder(dir);
  }

  readConfig<T = unknown>(): { config: T } & Record<string, unknown> {
    return JSON.parse(fs.readFileSync(path.join(this.dir, 'config.json'), 'utf8'));
  }

  get metricsFile(): string {
    return path.join(this.dir, 'metrics.jsonl');
  }

  /** Rewrite the metrics log from the checkpoint's history, so a resumed run never logs an epoch twice. */
  writeMetrics(history: readonly unknown[]): void {
    writeFileAtomic(this.metricsFile, history.map((m) => JSON.stringify(m)).join('\n') + (history.length ? '\n' : ''));
  }

  readMetrics<T = unknown>(): T[] {
    if (!fs.existsSync(this.metricsFile)) return [];
    return fs
      .readFileSync(this.metricsFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as T);
  }

  writeCheckpoint(epoch: number, step: number, bytes: Uint8Array): CheckpointFile {
    const name = `ckpt-e${String(epoch).padStart(5, '0')}-s${String(step).padStart(6, '0')}.nasw`;
    const file = path.join(this.dir, 'checkpoints', name);
    writeFileAtomic(file, bytes);
    return { epoch, step, path: file, bytes: bytes.length, sha256: sha256(bytes) };
  }

  /** Checkpoints in trajectory order (the position the run continues from). */
  checkpoints(): CheckpointFile[] {
    const dir = path.join(this.dir, 'checkpoints');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .map((name) => ({ name, m: CKPT_RE.exec(name) }))
      .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null)
      .map(({ name, m }) => {
        const file = path.join(dir, name);
        return { epoch: Number(m[1]), step: Number(m[2]), path: file, bytes: fs.statSync(file).size, sha256: '' };
      })
      .sort((a, b) => a.epoch - b.epoch || a.step - b.step);
  }

  /**
   * Choose a checkpoint: `last`, or N = the checkpoint written at the end of epoch N (1-based count of
   * completed epochs, i.e. position epoch N, step 0).
   */
  findCheckpoint(which: 'last' | number): CheckpointFile {
    const all = this.checkpoints();
    if (all.length === 0) throw new Error(`run folder ${this.dir} has no checkpoints yet`);
    if (which === 'last') return all[all.length - 1]!;
    const c = all.find((c) => c.epoch === which && c.step === 0);
    if (!c) throw new Error(`no checkpoint after epoch ${which} in ${this.dir} (have: ${all.map((c) => (c.step ? `${c.epoch}+${c.step}` : c.epoch)).join(', ')})`);
    return c;
  }

  writeJson(name: string, value: unknown): string {
    const file = path.join(this.dir, name);
    writeFileAtomic(file, JSON.stringify(value, null, 2));
    return file;
  }
}
