// A resume that skips a corrupt checkpoint says so on the CLI, and the corrupt file and its invalid record are kept.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { statusOf, useRunnerHarness } from './runner-harness';

const execFileP = promisify(execFile);
const bin = path.resolve(__dirname, '../../bin/nasw.js');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const tinySearch = {
  space: { ops: ['none', 'skip_connect', 'sep_conv_3x3'], cells: 2, channels: 4, nodes: 2 },
  epochs: 3,
  batchSize: 8,
  stepsPerEpoch: 2,
  alpha: { freezeEpochs: 0 },
  backend: 'cpu',
  data: { dataset: 'synthetic', discretizeImages: 16 },
};

const h = useRunnerHarness('nasw-invalid-ckpt-', 30_000);

describe('resume past a corrupt checkpoint', () => {
  it('warns on the CLI, moves the corrupt file aside and keeps its invalid record beside the new checkpoint', async () => {
    const id = await h.runner.submit({ kind: 'search', name: 'corrupt', config: tinySearch });
    await h.waitFor((e) => e.type === 'checkpoint' && e.runId === id && e.epoch === 1);
    await h.waitFor((e) => e.type === 'progress' && e.runId === id && e.progress.epoch === 2);
    process.kill(h.store.runs.require(id).pid!, 'SIGKILL');
    await h.waitFor(statusOf(id, 'interrupted'));

    const newest = h.store.checkpoints.list(id)[0]!;
    expect(path.basename(newest.path)).toBe('ckpt-e00002-s000000.nasw'); // closes the second epoch
    const corrupt = fs.readFileSync(newest.path);
    corrupt[corrupt.length - 10]! ^= 0xff;
    fs.writeFileSync(newest.path, corrupt);

    const { stdout } = await execFileP(process.execPath, [bin, '--home', h.home, 'resume', String(id), '--json'], { maxBuffer: 64 << 20 });
    const lines = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ runId: id, status: 'completed' });
    expect(lines.filter((l) => l.event === 'log' && l.level === 'warn').map((l) => l.message)).toEqual([
      `checkpoint ckpt-e00002-s000000.nasw is unusable (hash mismatch (file corrupt)); kept as ckpt-e00002-s000000.nasw.${newest.id}.invalid; falling back to the previous one`,
    ]);

    // The corrupt bytes are kept under the new name, its record points there and stays invalid.
    const aside = `${newest.path}.${newest.id}.invalid`;
    expect(sha256(fs.readFileSync(aside))).toBe(sha256(corrupt));
    const all = h.store.checkpoints.list(id);
    const kept = all.find((c) => c.id === newest.id)!;
    expect(kept).toMatchObject({ path: aside, valid: false, invalidReason: 'hash mismatch (file corrupt)', sha256: newest.sha256, epoch: 1, step: null });
    // The recomputed epoch wrote a new checkpoint of the old name, recorded apart and valid.
    const fresh = all.find((c) => c.path === newest.path)!;
    expect(fresh.id).not.toBe(newest.id);
    expect(fresh.valid).toBe(true);
    expect(sha256(fs.readFileSync(fresh.path))).toBe(fresh.sha256);
    expect(all.filter((c) => c.valid).map((c) => c.epoch)).toEqual([2, 1, 0]);
    expect(h.store.epochs.list(id).map((e) => e.epoch)).toEqual([0, 1, 2]);
  });
});
