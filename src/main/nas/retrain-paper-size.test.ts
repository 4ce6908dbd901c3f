// The README's retrain (DARTS_V2, 20 cells × 36 channels, CIFAR recipe) on wasm: refused at batch 96, one full step at the batch it suggests.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { PUBLISHED_GENOTYPES } from '../../shared/published-genotypes';
import { retrainConfig } from '../../shared/retrain-config';
import { runRetrain, type RetrainData, type RetrainEvent } from './retrain';
import { useBackend } from './testing/backends';
import { SyntheticSource } from './testing/synthetic-data';

beforeAll(() => useBackend('wasm'));

const data = (): RetrainData => ({ train: new SyntheticSource(20, [32, 32, 3], 10, 1), test: new SyntheticSource(10, [32, 32, 3], 10, 2), classNames: [...'abcdefghij'] });

it('refuses the recipe batch of 96 before the first step, with what it needs and the batch that fits', async () => {
  const gen = runRetrain({ config: retrainConfig({ genotype: PUBLISHED_GENOTYPES.DARTS_V2, backend: 'wasm' }), data: data() });
  await expect(gen.next()).rejects.toThrow(/needs about 63\.4 GiB .* at batch 96 .*--batch 5 fits/);
  expect(tf.memory().numTensors).toBe(0);
});

it('runs one full step (forward, backward, SGD update) of the paper-size network at that batch, then checkpoints', async () => {
  const config = retrainConfig({ genotype: PUBLISHED_GENOTYPES.DARTS_V2, batchSize: 5, backend: 'wasm' });
  expect([config.cells, config.channels, config.auxiliary, config.dropPath]).toEqual([20, 36, true, 0.2]);
  let steps = 0;
  const events: RetrainEvent[] = [];
  const t0 = performance.now();
  for await (const e of runRetrain({ config, data: data(), shouldStop: () => steps >= 1 })) {
    events.push(e);
    if (e.type === 'step') steps++;
  }
  console.log(`paper-size retrain: one step at batch 5 on wasm in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const step = events.find((e) => e.type === 'step');
  expect(step?.type === 'step' && Number.isFinite(step.progress.loss)).toBe(true);
  const stopped = events.at(-1);
  expect(stopped?.type).toBe('stopped');
  expect(stopped?.type === 'stopped' && stopped.position).toEqual({ epoch: 0, step: 1 });
});
