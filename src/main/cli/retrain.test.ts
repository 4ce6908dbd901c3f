import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenotype } from '../../shared/genotype-text';
import type { RetrainEpochMetrics } from '../../shared/metrics';
import { retrainConfig } from '../../shared/retrain-config';
import { readRetrainCheckpoint } from '../nas/retrain-state';
import { useBackend } from '../nas/testing/backends';
import { SyntheticSource } from '../nas/testing/synthetic-data';
import { RunFolder } from '../jobs/run-folder';
import { runRetrainInFolder } from '../jobs/retrain-runner';
import { retrainConfigFromFlags } from './retrain';

beforeAll(() => useBackend('cpu'));

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-retrain-'));
  dirs.push(d);
  return d;
};

const config = retrainConfig({
  genotype: parseGenotype("Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('dil_conv_3x3', 1)], reduce_concat=[2])"),
  cells: 3,
  channels: 4,
  epochs: 3,
  batchSize: 8,
  stepsPerEpoch: 2,
  auxiliary: false,
  backend: 'cpu',
});
const data = () => ({ train: new SyntheticSource(32, [8, 8, 3], 4, 1), test: new SyntheticSource(16, [8, 8, 3], 4, 1), classNames: ['a', 'b', 'c', 'd'] });

function lastWeights(folder: string): Map<string, Float32Array> {
  const ckpts = new RunFolder(folder).checkpoints();
  const c = readRetrainCheckpoint(fs.readFileSync(ckpts.at(-1)!.path));
  return new Map([...c.tensors].map(([k, t]) => [k, t.data]));
}

describe('runRetrainInFolder', () => {
  it('writes checkpoints, metrics and the evaluation; a stopped run resumes from disk to the same weights', async () => {
    const whole = path.join(tmp(), 'whole');
    const done = await runRetrainInFolder({ folder: whole, config, data: data() });
    expect(done.status).toBe('completed');
    expect(new RunFolder(whole).readMetrics<RetrainEpochMetrics>().map((m) => m.epoch)).toEqual([0, 1, 2]);
    const evaluation = JSON.parse(fs.readFileSync(path.join(whole, 'evaluation.json'), 'utf8'));
    expect(evaluation.epoch).toBe(2);
    expect(evaluation.confusion).toHaveLength(4);
    expect(JSON.parse(fs.readFileSync(path.join(whole, 'network.json'), 'utf8')).parameters).toBeGreaterThan(0);

    const split = path.join(tmp(), 'split');
    let polls = 0;
    const stopped = await runRetrainInFolder({ folder: split, config, data: data(), hooks: { shouldStop: () => polls++ >= 3 } });
    expect(stopped.status).toBe('stopped');
    expect(stopped.lastCheckpoint).toMatchObject({ epoch: 1, step: 1 });
    const resumed = await runRetrainInFolder({ folder: split, config, data: data(), resume: true });
    expect(resumed.status).toBe('completed');
    expect(resumed.history.map((m) => m.epoch)).toEqual([1, 2]);
    // Each epoch logged once, and the trajectory is the uninterrupted one.
    expect(new RunFolder(split).readMetrics<RetrainEpochMetrics>().map((m) => m.epoch)).toEqual([0, 1, 2]);
    const a = lastWeights(whole);
    const b = lastWeights(split);
    let worst = 0;
    for (const [k, x] of a) x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b.get(k)![i]!))));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('retrain flags', () => {
  const base = { genotype: 'DARTS_V2', dataset: 'cifar10', recipe: 'cifar', resume: false, json: false };
  it('lay overrides over the recipe', () => {
    const c = retrainConfigFromFlags({ ...base, cells: '8', cutout: '0', dropPath: '0.3', auxiliary: '0.5' });
    expect(c).toMatchObject({ cells: 8, channels: 36, dropPath: 0.3, auxiliary: true, auxiliaryWeight: 0.5, genotypeName: 'DARTS_V2', data: { dataset: 'cifar10', augment: { cutout: 0 } } });
    expect(retrainConfigFromFlags({ ...base, auxiliary: false }).auxiliary).toBe(false);
    const i = retrainConfigFromFlags({ ...base, recipe: 'imagenet' });
    expect(i).toMatchObject({ stem: 'imagenet', cells: 14, channels: 48, labelSmoothing: 0.1, optim: { schedule: 'exponential' } });
  });

  it('refuse bad values with the flag named', () => {
    expect(() => retrainConfigFromFlags({ ...base, recipe: 'mnist' })).toThrow(/--recipe/);
    expect(() => retrainConfigFromFlags({ ...base, cells: '2.5' })).toThrow('--cells must be an integer (got 2.5)');
    expect(() => retrainConfigFromFlags({ ...base, genotype: 'DARTS_V9' })).toThrow(/--genotype: .*unknown genotype name/);
  });
});
