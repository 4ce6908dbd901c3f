import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../errors';
import { DARTS_V2, DARTS_V2_TEXT, fakeSha256, sampleSearchConfig } from '../testing/fixtures';
import { useTempStore } from '../testing/temp-store';

const t = useTempStore();
const newRun = () => t.store.runs.create({ kind: 'search', config: sampleSearchConfig(), codeVersion: 'test' }).id;

describe('genotypes', () => {
  it('round-trips a derived genotype with scores and counts', () => {
    const id = newRun();
    const c = t.store.checkpoints.add(id, { epoch: 49, path: '/r/1/c49', bytes: 5, sha256: fakeSha256('c49') });
    const scores = { picks: [{ node: 0, input: 1, op: 'sep_conv_3x3', score: 0.93 }], scoreTables: [[[[0.1, Number.NaN]]]] };
    const g = t.store.genotypes.add({ runId: id, checkpointId: c.id, method: 'decorrelation', name: 'iDARTS S1', text: DARTS_V2_TEXT, genotype: DARTS_V2, scores, params: 3_349_342, madds: 528_000_000 });
    expect(g).toEqual({
      id: g.id,
      runId: id,
      checkpointId: c.id,
      method: 'decorrelation',
      name: 'iDARTS S1',
      text: DARTS_V2_TEXT,
      genotype: DARTS_V2,
      scores: { picks: scores.picks, scoreTables: [[[[0.1, null]]]] },
      params: 3_349_342,
      madds: 528_000_000,
      createdAt: '2026-11-29T12:00:00.000Z',
    });
    expect(t.store.genotypes.get(g.id)).toEqual(g);
    expect(t.store.genotypes.listByRun(id)).toEqual([g]);
    expect(t.store.runDetail(id)!.genotypes).toEqual([g]);
  });

  it('keeps imported genotypes apart, without a run', () => {
    newRun();
    const g = t.store.genotypes.add({ method: 'imported', name: 'DARTS_V2', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
    expect(g).toMatchObject({ runId: null, checkpointId: null, scores: null, params: null });
    expect(t.store.genotypes.listImported()).toEqual([g]);
    expect(t.store.genotypes.listByRun(1)).toEqual([]);
  });

  it('refuses inconsistent input', () => {
    const a = newRun();
    const b = newRun();
    const cb = t.store.checkpoints.add(b, { epoch: 1, path: '/r/b/1', bytes: 5, sha256: fakeSha256('b') });
    const base = { text: DARTS_V2_TEXT, genotype: DARTS_V2 };
    expect(() => t.store.genotypes.add({ ...base, method: 'value' })).toThrow(/needs the run/);
    expect(() => t.store.genotypes.add({ ...base, method: 'value', runId: a, checkpointId: cb.id })).toThrow(/belongs to run #2/);
    expect(() => t.store.genotypes.add({ ...base, method: 'value', runId: a, checkpointId: 999 })).toThrow(NotFoundError);
    expect(() => t.store.genotypes.add({ ...base, method: 'value', runId: 999 })).toThrow(NotFoundError);
    expect(() => t.store.genotypes.add({ ...base, method: 'value', runId: a, genotype: { ...DARTS_V2, normal: [{ op: 'conv_9x9' as 'none', input: 0 }] } })).toThrow(InvalidInputError);
    expect(() => t.store.genotypes.add({ ...base, method: 'value', runId: a, params: -3 })).toThrow(InvalidInputError);
    expect(() => t.store.genotypes.add({ ...base, method: 'guess' as 'value', runId: a })).toThrow(InvalidInputError);
    expect(t.store.genotypes.listByRun(a)).toEqual([]);
  });

  it('cannot be removed while retrain results refer to it', () => {
    const search = newRun();
    const g = t.store.genotypes.add({ runId: search, method: 'value', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
    const retrain = t.store.runs.create({ kind: 'retrain', parentId: search, config: { genotypeId: g.id }, dataset: 'cifar10', seed: 0, backendChoice: 'cpu', codeVersion: 't' }).id;
    t.store.results.save({ runId: retrain, genotypeId: g.id, top1Error: 0.0276, perClassAccuracy: Array(10).fill(0.97) });
    expect(() => t.store.genotypes.remove(g.id)).toThrow(/has 1 retrain result/);
    expect(() => t.store.runs.remove(search)).toThrow(/delete those runs first/);
    t.store.runs.remove(retrain);
    t.store.runs.remove(search); // cascades the genotype
    expect(t.store.genotypes.get(g.id)).toBeUndefined();
    const imported = t.store.genotypes.add({ method: 'imported', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
    t.store.genotypes.remove(imported.id);
    expect(() => t.store.genotypes.remove(imported.id)).toThrow(NotFoundError);
  });
});
