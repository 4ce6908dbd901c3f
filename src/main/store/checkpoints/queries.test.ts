import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../errors';
import { fakeSha256, sampleSearchConfig } from '../testing/fixtures';
import { useTempStore } from '../testing/temp-store';

const t = useTempStore();
const newRun = () => t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 'test' }).id;
const ckpt = (epoch: number, step: number | null = null, run = 1) => ({
  epoch,
  step,
  path: `/runs/${run}/ckpt-${epoch}${step === null ? '' : `-${step}`}.bin`,
  bytes: 1000 + epoch,
  sha256: fakeSha256(`${run}/${epoch}/${step}`),
});

describe('checkpoints', () => {
  it('round-trips a checkpoint record', () => {
    const id = newRun();
    const c = t.store.checkpoints.add(id, ckpt(2));
    expect(c).toEqual({ id: c.id, runId: id, epoch: 2, step: null, path: '/runs/1/ckpt-2.bin', bytes: 1002, sha256: fakeSha256('1/2/null'), valid: true, invalidReason: null, checkedAt: null, createdAt: '2026-11-29T12:00:00.000Z' });
    expect(t.store.checkpoints.get(c.id)).toEqual(c);
    expect(t.store.checkpoints.get(c.id + 1)).toBeUndefined();
  });

  it('finds the newest valid one by progress, and falls back when the newest is marked corrupt', () => {
    const id = newRun();
    const c0 = t.store.checkpoints.add(id, ckpt(0));
    const c1 = t.store.checkpoints.add(id, ckpt(1));
    const mid = t.store.checkpoints.add(id, ckpt(2, 150)); // cancel's final checkpoint inside epoch 2
    expect(t.store.checkpoints.latestValid(id)!.id).toBe(mid.id);
    expect(t.store.checkpoints.list(id).map((c) => c.id)).toEqual([mid.id, c1.id, c0.id]);

    t.clock.now += 1000;
    t.store.checkpoints.markInvalid(mid.id, 'sha256 mismatch: file truncated');
    expect(t.store.checkpoints.get(mid.id)).toMatchObject({ valid: false, invalidReason: 'sha256 mismatch: file truncated', checkedAt: '2026-11-29T12:00:01.000Z' });
    expect(t.store.checkpoints.latestValid(id)!.id).toBe(c1.id);
    t.store.checkpoints.markInvalid(c1.id, 'file missing');
    expect(t.store.checkpoints.latestValid(id)!.id).toBe(c0.id);
    t.store.checkpoints.markValid(c1.id); // re-hashed after the disk came back
    expect(t.store.checkpoints.latestValid(id)!.id).toBe(c1.id);
    // End-of-epoch beats a mid-epoch one of the same epoch; more steps beat fewer.
    const s100 = t.store.checkpoints.add(id, ckpt(3, 100));
    const s50 = t.store.checkpoints.add(id, ckpt(3, 50));
    expect(t.store.checkpoints.latestValid(id)!.id).toBe(s100.id);
    const end3 = t.store.checkpoints.add(id, ckpt(3));
    expect(t.store.checkpoints.latestValid(id)!.id).toBe(end3.id);
    expect(s50.id).toBeGreaterThan(s100.id);
  });

  it('treats the same path written again as a replacement that is valid again', () => {
    const id = newRun();
    const first = t.store.checkpoints.add(id, ckpt(1));
    t.store.checkpoints.markInvalid(first.id, 'sha256 mismatch');
    t.clock.now += 10;
    const again = t.store.checkpoints.add(id, { ...ckpt(1), bytes: 2222, sha256: 'f'.repeat(64) });
    expect(again).toMatchObject({ id: first.id, bytes: 2222, sha256: 'f'.repeat(64), valid: true, invalidReason: null, createdAt: '2026-11-29T12:00:00.010Z' });
    expect(t.store.checkpoints.list(id)).toHaveLength(1);
  });

  it('keeps an invalid record when its bad file is moved aside, so a new file of the old name is recorded apart', () => {
    const id = newRun();
    const bad = t.store.checkpoints.add(id, ckpt(1));
    t.clock.now += 10;
    t.store.checkpoints.markInvalid(bad.id, 'hash mismatch (file corrupt)', `${bad.path}.invalid`);
    const fresh = t.store.checkpoints.add(id, { ...ckpt(1), bytes: 2222, sha256: 'f'.repeat(64) });
    expect(fresh.id).not.toBe(bad.id);
    expect(t.store.checkpoints.get(bad.id)).toMatchObject({ path: `${bad.path}.invalid`, valid: false, invalidReason: 'hash mismatch (file corrupt)', sha256: bad.sha256, checkedAt: '2026-11-29T12:00:00.010Z' });
    expect(t.store.checkpoints.get(fresh.id)).toMatchObject({ path: bad.path, valid: true, bytes: 2222 });
    expect(t.store.checkpoints.latestValid(id)!.id).toBe(fresh.id);
  });

  it('refuses bad records: another run’s path, a bad hash or size, an unknown run', () => {
    const a = newRun();
    const b = newRun();
    t.store.checkpoints.add(a, ckpt(1));
    expect(() => t.store.checkpoints.add(b, ckpt(1))).toThrow(/already registered to run #1/);
    expect(() => t.store.checkpoints.add(a, { ...ckpt(2), sha256: 'XYZ' })).toThrow(InvalidInputError);
    expect(() => t.store.checkpoints.add(a, { ...ckpt(2), sha256: 'A'.repeat(64) })).toThrow(InvalidInputError);
    expect(() => t.store.checkpoints.add(a, { ...ckpt(2), bytes: -1 })).toThrow(InvalidInputError);
    expect(() => t.store.checkpoints.add(a, { ...ckpt(2), step: 1.5 })).toThrow(InvalidInputError);
    expect(() => t.store.checkpoints.add(999, ckpt(2))).toThrow(NotFoundError);
    expect(() => t.store.checkpoints.markInvalid(999, 'x')).toThrow(NotFoundError);
    expect(() => t.store.checkpoints.markInvalid(1, '')).toThrow(InvalidInputError);
    expect(t.store.checkpoints.list(b)).toEqual([]);
  });

  it('removes a pruned checkpoint; a genotype derived from it keeps itself without the link', () => {
    const id = newRun();
    const c = t.store.checkpoints.add(id, ckpt(5));
    const g = t.store.genotypes.add({
      runId: id,
      checkpointId: c.id,
      method: 'value',
      text: 'g',
      genotype: { normal: [{ op: 'skip_connect', input: 0 }], normalConcat: [2], reduce: [{ op: 'max_pool_3x3', input: 1 }], reduceConcat: [2] },
    });
    t.store.checkpoints.remove(c.id);
    expect(t.store.checkpoints.get(c.id)).toBeUndefined();
    expect(t.store.genotypes.get(g.id)!.checkpointId).toBeNull();
    expect(() => t.store.checkpoints.remove(c.id)).toThrow(NotFoundError);
  });
});
