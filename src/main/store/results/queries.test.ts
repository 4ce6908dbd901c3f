import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors';
import { DARTS_V2, DARTS_V2_TEXT } from '../testing/fixtures';
import { useTempStore } from '../testing/temp-store';

const t = useTempStore();

function setup() {
  const g = t.store.genotypes.add({ method: 'imported', text: DARTS_V2_TEXT, genotype: DARTS_V2 });
  const retrain = (seed: number) => t.store.runs.create({ kind: 'retrain', config: { genotypeId: g.id }, dataset: 'cifar10', seed, backendChoice: 'cpu', codeVersion: 't' }).id;
  return { g, retrain };
}

describe('retrain results', () => {
  it('round-trip, one per run (saving again replaces), listed per genotype best first', () => {
    const { g, retrain } = setup();
    const r1 = retrain(1);
    const r2 = retrain(2);
    const confusion = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 970 : 3)));
    const saved = t.store.results.save({ runId: r1, genotypeId: g.id, top1Error: 0.03, top5Error: 0.001, perClassAccuracy: Array(10).fill(0.97), confusion, params: 3_300_000, madds: 540_000_000 });
    expect(saved).toEqual({ runId: r1, genotypeId: g.id, top1Error: 0.03, top5Error: 0.001, perClassAccuracy: Array(10).fill(0.97), confusion, params: 3_300_000, madds: 540_000_000, createdAt: '2026-11-29T12:00:00.000Z' });
    expect(t.store.results.get(r1)).toEqual(saved);
    t.store.results.save({ runId: r2, genotypeId: g.id, top1Error: 0.025, perClassAccuracy: Array(10).fill(0.975) });
    expect(t.store.results.listByGenotype(g.id).map((r) => r.runId)).toEqual([r2, r1]);
    t.store.results.save({ runId: r1, genotypeId: g.id, top1Error: 0.02, perClassAccuracy: Array(10).fill(0.98) });
    expect(t.store.results.get(r1)).toMatchObject({ top1Error: 0.02, top5Error: null, confusion: null });
    expect(t.store.results.listByGenotype(g.id).map((r) => r.runId)).toEqual([r1, r2]);
    expect(t.store.runDetail(r1)!.result).toMatchObject({ top1Error: 0.02 });
    expect(t.store.results.get(999)).toBeUndefined();
  });

  it('refuses percentages, missing runs or genotypes', () => {
    const { g, retrain } = setup();
    const r = retrain(1);
    expect(() => t.store.results.save({ runId: r, genotypeId: g.id, top1Error: 2.76, perClassAccuracy: [] })).toThrow(/fraction in \[0, 1\]/);
    expect(() => t.store.results.save({ runId: r, genotypeId: g.id, top1Error: 0.1, perClassAccuracy: [97] })).toThrow(InvalidInputError);
    expect(() => t.store.results.save({ runId: 999, genotypeId: g.id, top1Error: 0.1, perClassAccuracy: [] })).toThrow(/does not exist/);
    expect(() => t.store.results.save({ runId: r, genotypeId: 999, top1Error: 0.1, perClassAccuracy: [] })).toThrow(/does not exist/);
    expect(t.store.results.get(r)).toBeUndefined();
  });
});
