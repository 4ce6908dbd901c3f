// Process identity: a live child is itself, a dead one is gone, a reused pid is another program.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownProcess, processRef, processStartToken, processVerdict } from './process-identity';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function sleeper(command = process.execPath): Promise<ChildProcess> {
  const child = spawn(command, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

const exited = (c: ChildProcess) => new Promise((resolve) => c.once('exit', resolve));

describe('process identity', () => {
  it('tells a live child from a reused pid, and a dead one as gone', async () => {
    const child = await sleeper();
    const ref = processRef(child.pid!);
    expect(ref.start).toEqual(expect.any(String));
    expect(processStartToken(child.pid!)).toBe(ref.start); // stable over time
    expect(processVerdict(ref)).toBe('same');
    // The same pid with another start time: another program now holds the pid.
    expect(processVerdict({ pid: child.pid!, start: `${ref.start}0` })).toBe('other');
    // A live pid recorded without a start time cannot be confirmed either way.
    expect(processVerdict({ pid: child.pid!, start: null })).toBe('unknown');
    child.kill('SIGKILL');
    await exited(child);
    expect(processStartToken(child.pid!)).toBeNull();
    expect(processVerdict(ref)).toBe('gone');
    // Beyond Linux's default pid_max, so surely no process.
    expect(processVerdict({ pid: 2 ** 22 + 12345, start: 'x' })).toBe('gone');
    expect(processStartToken(0)).toBeNull();
    expect(processStartToken(-1)).toBeNull();
  });

  it('gives different processes different tokens and this process its own', async () => {
    const [a, b] = await Promise.all([sleeper(), sleeper()]);
    expect(processRef(a.pid!).start).not.toBe(processRef(b.pid!).start);
    expect(ownProcess()).toEqual({ pid: process.pid, start: processStartToken(process.pid) });
    expect(processVerdict(ownProcess())).toBe('same');
  });

  it.runIf(process.platform === 'linux')('reads the start time past a command name holding spaces and parentheses', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-ident-'));
    try {
      const odd = path.join(dir, 'n) 1 2 (x');
      fs.symlinkSync(process.execPath, odd);
      const child = await sleeper(odd);
      expect(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain('(n) 1 2 (x)');
      const token = processStartToken(child.pid!);
      expect(token).toMatch(/^linux:.+:\d+$/);
      // The start time (clock ticks after boot) is at most this process's uptime away from now.
      const ticks = Number(token!.split(':').at(-1));
      const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
      expect(ticks / 100).toBeGreaterThan(uptime - 60);
      expect(ticks / 100).toBeLessThanOrEqual(uptime + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
