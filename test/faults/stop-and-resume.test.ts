// One search per thread count through every stop the probe tried — Ctrl-C, `nasw cancel`, a killed job
// process, a killed parent CLI, a corrupt newest checkpoint — resumed after each, checked in the store.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/main/store';
import { expectTrueRecord, folderCheckpoints, folderEpochs, isProgress, killAll, nasw, openHome, pidExists, startNasw, tempHome, waitUntil, type Line } from './fault-harness';

const EPOCHS = 5;
/** Small and quick: each fault lands within the first steps of a segment, so 5 epochs of 3 leave room. */
const SEARCH = ['--dataset', 'synthetic', '--cells', '2', '--channels', '4', '--nodes', '2', '--epochs', String(EPOCHS), '--steps', '3', '--batch', '8', '--backend', 'wasm'];

const all = Array.from({ length: EPOCHS }, (_, i) => i);
const isStatus = (runId: number, status: string) => (l: Line) => l.event === 'status' && l.runId === runId && l.status === status;

afterAll(killAll);

describe.each([1, 2])('a search on --threads %i', (threads) => {
  const home = tempHome(`nasw-faults-t${threads}-`);
  let store: Store;
  let runId: number;
  beforeAll(() => {
    store = openHome(home);
  });
  afterAll(() => {
    expect(store.integrityCheck()).toEqual([]);
    store.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** The recorded checkpoints, newest first, as the store keeps them. */
  const recorded = () => store.checkpoints.list(runId).filter((c) => c.valid);

  it('stops at the next step on SIGINT to the foreground command (Ctrl-C), with a checkpoint: cancelled', async () => {
    const cli = startNasw(home, ['search', ...SEARCH, '--threads', String(threads), '--json']);
    const first = await cli.line(isProgress);
    runId = first.runId as number;
    process.kill(-cli.child.pid!, 'SIGINT'); // the whole foreground group, as a terminal's Ctrl-C
    const { code } = await cli.exit;
    expect(code).toBe(1);
    expect(cli.lines.at(-1)).toMatchObject({ event: 'done', runId, status: 'cancelled', error: 'cancelled by the user' });
    const done = expectTrueRecord(store, runId, 'cancelled');
    expect(done).toBeLessThan(EPOCHS);
    // The stop wrote a mid-epoch checkpoint (step > 0) the store recorded.
    expect(recorded()[0]).toMatchObject({ step: expect.any(Number) });
  });

  it('stops on `nasw cancel` from another command while resumed in the foreground: cancelled, with a checkpoint', async () => {
    const before = recorded()[0]!.id;
    const cli = startNasw(home, ['resume', String(runId), '--json']);
    await cli.line(isProgress);
    // Held still while `nasw cancel` starts (seconds on a busy machine), so the run cannot end first;
    // the signal waits until it continues, and then must stop it at its next step.
    const pid = store.runs.require(runId).pid!;
    process.kill(pid, 'SIGSTOP');
    const cancel = await nasw(home, 'cancel', String(runId), '--json');
    process.kill(pid, 'SIGCONT');
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.lines).toEqual([{ runId, requested: 'cancel' }]);
    await cli.exit;
    expect(cli.lines.at(-1)).toMatchObject({ runId, status: 'cancelled', error: 'cancelled by the user' });
    expect(expectTrueRecord(store, runId, 'cancelled')).toBeLessThan(EPOCHS);
    expect(recorded()[0]!.id).toBeGreaterThan(before);
  });

  it('records interrupted when the job process is killed (SIGKILL), and the foreground command says so', async () => {
    const cli = startNasw(home, ['resume', String(runId), '--json']);
    await cli.line(isProgress);
    const pid = store.runs.require(runId).pid!;
    process.kill(pid, 'SIGKILL');
    await cli.line(isStatus(runId, 'interrupted'));
    expect((await cli.exit).code).toBe(1);
    expect(expectTrueRecord(store, runId, 'interrupted')).toBeLessThan(EPOCHS);
    expect(store.runs.require(runId).error).toMatch(/SIGKILL/);
  });

  it('stops the job with a checkpoint when its parent command dies, and the next reader records interrupted', async () => {
    const cli = startNasw(home, ['resume', String(runId), '--json']);
    await cli.line(isProgress);
    const pid = store.runs.require(runId).pid!;
    const filesBefore = folderCheckpoints(store, runId);
    process.kill(cli.child.pid!, 'SIGKILL'); // the parent only: its job process is orphaned
    await cli.exit;
    // The orphan stops at its next step, writing a stop checkpoint, and exits — long before the run could end.
    await waitUntil(`the orphaned job process ${pid} exits`, () => !pidExists(pid));
    const written = folderCheckpoints(store, runId).filter((c) => !filesBefore.includes(c));
    expect(written.length).toBeGreaterThan(0);
    expect(written.at(-1)).not.toBe(`e${EPOCHS}s0`); // not the end of the run
    expect(folderEpochs(store, runId).length).toBeLessThan(EPOCHS);
    // The store still says running (nobody was left to record the end) until someone reads it.
    const list = await nasw(home, 'runs', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const row = (JSON.parse(list.stdout) as { id: number; status: string; error: string }[]).find((r) => r.id === runId)!;
    expect(row.status).toBe('interrupted');
    expect(row.error).toMatch(new RegExp(`process ${pid} is gone`));
    expect(expectTrueRecord(store, runId, 'interrupted')).toBeLessThan(EPOCHS);
    const cancel = await nasw(home, 'cancel', String(runId));
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(new RegExp(`run ${runId} is interrupted; only queued or running runs can be cancelled`));
  });

  it('resumes from the previous checkpoint when the newest is corrupt, and completes with every epoch once', async () => {
    const [newest, previous] = recorded();
    const bytes = fs.readFileSync(newest!.path);
    bytes[bytes.length - 10]! ^= 0xff;
    fs.writeFileSync(newest!.path, bytes);
    const cli = startNasw(home, ['resume', String(runId), '--json']);
    const first = await cli.line(isProgress);
    // The previous checkpoint's position: after epoch e (step null) → (e + 1, 0); a stop (e, s) → (e, s).
    const at = previous!.step === null ? { epoch: previous!.epoch + 1, step: 0 } : { epoch: previous!.epoch, step: previous!.step };
    expect({ epoch: first.epoch, step: first.step }).toEqual(at);
    expect((await cli.exit).code, cli.stderr()).toBe(0);
    expect(cli.lines.at(-1)).toMatchObject({ runId, status: 'completed' });
    expect(expectTrueRecord(store, runId, 'completed')).toBe(EPOCHS);
    expect(store.epochs.list(runId).map((e) => e.epoch)).toEqual(all);
    expect(folderEpochs(store, runId)).toEqual(all);
  });
});
