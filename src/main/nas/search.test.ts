import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { searchConfig } from '../../shared/search-config';
import type { SearchEpochMetrics } from '../../shared/metrics';
import { runSearch, type SearchEvent } from './search';
import { SearchState, readSearchCheckpoint, stateFromCheckpoint } from './search-state';
import { useBackend } from './testing/backends';
import { syntheticSearchData } from './testing/synthetic-data';

beforeAll(() => useBackend('cpu'));

const tiny = (over: Record<string, unknown> = {}) =>
  searchConfig({
    space: { ops: ['none', 'max_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'dil_conv_3x3'], cells: 3, channels: 4, nodes: 2 },
    epochs: 3,
    batchSize: 8,
    stepsPerEpoch: 2,
    alpha: { freezeEpochs: 1, lr: 0.05 },
    backend: 'cpu',
    ...over,
  });

async function collect(gen: AsyncGenerator<SearchEvent>): Promise<SearchEvent[]> {
  const out: SearchEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

function alphaOf(bytes: Uint8Array): number[] {
  const c = readSearchCheckpoint(bytes);
  return [...c.tensors.get('alpha/alpha_normal')!.data, ...c.tensors.get('alpha/alpha_reduce')!.data];
}

describe('runSearch', () => {
  it('emits per-epoch metrics with the schedule, frozen α, zero-ratio and node norms', async () => {
    const events = await collect(runSearch({ config: tiny(), data: syntheticSearchData() }));
    const epochs = events.filter((e): e is Extract<SearchEvent, { type: 'epoch' }> => e.type === 'epoch');
    expect(epochs).toHaveLength(3);
    const m: SearchEpochMetrics[] = epochs.map((e) => e.metrics);
    expect(m.map((x) => x.alphaFrozen)).toEqual([true, false, false]);
    expect(m[0]!.lr).toBeCloseTo(0.025, 10);
    expect(m[1]!.lr).toBeLessThan(m[0]!.lr);
    for (const x of m) {
      expect(x.alphaSoftmax.normal).toHaveLength(5);
      expect(x.alphaSoftmax.normal[0]).toHaveLength(5);
      expect(x.zeroRatio.normal).toBeGreaterThan(0);
      expect(x.zeroRatio.reduce).toBeGreaterThan(0);
      expect(x.nodeNorms.normal).toHaveLength(2);
      expect(Number.isFinite(x.trainLoss) && Number.isFinite(x.valLoss)).toBe(true);
      expect(x.steps).toBe(2);
    }
    // α does not move while frozen, then does.
    expect(alphaOf(epochs[0]!.checkpoint)).toEqual(alphaOf(await readCheckpointInit()));
    expect(alphaOf(epochs[1]!.checkpoint)).not.toEqual(alphaOf(epochs[0]!.checkpoint));
    expect(events.at(-1)!.type).toBe('done');
  });

  it('keeps the tensor count flat across steps', async () => {
    const counts: number[] = [];
    for await (const e of runSearch({ config: tiny({ epochs: 2, stepsPerEpoch: 3, alpha: { freezeEpochs: 0 } }), data: syntheticSearchData() })) {
      if (e.type === 'step') counts.push(tf.memory().numTensors);
    }
    expect(counts.length).toBe(6);
    // After the first step has created the optimizer slots, nothing grows.
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('resumes along the same trajectory: 3 epochs in one go = 1 epoch + resume for 2 (α to 1e-5)', async () => {
    // α trains from the first step, so the boundary checkpoint carries Adam's moments and step counter.
    const config = () => tiny({ alpha: { freezeEpochs: 0 } });
    const data = syntheticSearchData();
    const full = (await collect(runSearch({ config: config(), data }))).filter((e) => e.type === 'epoch') as Extract<SearchEvent, { type: 'epoch' }>[];
    const first = (await collect(runSearch({ config: config(), data, shouldStop: stopAfterEpochs(1) }))).filter((e) => e.type === 'epoch' || e.type === 'stopped');
    const afterOne = (first.find((e) => e.type === 'epoch') as Extract<SearchEvent, { type: 'epoch' }>).checkpoint;
    expect(readSearchCheckpoint(afterOne).meta.adamSteps).toBe(2); // 1 epoch × 2 steps
    expect(alphaOf(afterOne)).not.toEqual(alphaOf(await readCheckpointInit()));
    const rest = (await collect(runSearch({ config: config(), data, resume: afterOne }))).filter((e) => e.type === 'epoch') as Extract<SearchEvent, { type: 'epoch' }>[];
    expect(rest.map((e) => e.metrics.epoch)).toEqual([1, 2]);
    const a = alphaOf(full[2]!.checkpoint);
    const b = alphaOf(rest[1]!.checkpoint);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    expect(rest[1]!.metrics.trainLoss).toBeCloseTo(full[2]!.metrics.trainLoss, 5);
  });

  it('stops cleanly at a step boundary and resumes mid-epoch to the same α', async () => {
    const data = syntheticSearchData();
    const full = (await collect(runSearch({ config: tiny({ alpha: { freezeEpochs: 0 } }), data }))).filter((e) => e.type === 'epoch') as Extract<SearchEvent, { type: 'epoch' }>[];
    let steps = 0;
    const stopped = (await collect(runSearch({ config: tiny({ alpha: { freezeEpochs: 0 } }), data, shouldStop: () => steps++ >= 3 }))).find((e) => e.type === 'stopped') as Extract<SearchEvent, { type: 'stopped' }>;
    expect(stopped.position).toEqual({ epoch: 1, step: 1 });
    const rest = (await collect(runSearch({ config: tiny(), data, resume: stopped.checkpoint }))).filter((e) => e.type === 'epoch') as Extract<SearchEvent, { type: 'epoch' }>[];
    const a = alphaOf(full[2]!.checkpoint);
    const b = alphaOf(rest.at(-1)!.checkpoint);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    expect(rest[0]!.metrics.steps).toBe(2);
  });

  it('restores a checkpoint into an equal network', async () => {
    const events = await collect(runSearch({ config: tiny({ epochs: 1 }), data: syntheticSearchData() }));
    const bytes = (events.find((e) => e.type === 'epoch') as Extract<SearchEvent, { type: 'epoch' }>).checkpoint;
    const { state, meta } = stateFromCheckpoint(bytes);
    expect(meta.position).toEqual({ epoch: 1, step: 0 });
    expect(meta.history).toHaveLength(1);
    const again = await state.toCheckpoint({ position: meta.position, partial: meta.partial, history: meta.history });
    expect(alphaOf(again)).toEqual(alphaOf(bytes));
    state.dispose();
  });
});

/** The α of a freshly initialised state (same seed), for the "frozen" check. */
async function readCheckpointInit(): Promise<Uint8Array> {
  const state = new SearchState(tiny(), [8, 8, 3], 4);
  const b = await state.toCheckpoint({ position: { epoch: 0, step: 0 }, partial: { loss: 0, correct: 0, images: 0, steps: 0, seconds: 0 }, history: [] });
  state.dispose();
  return b;
}

function stopAfterEpochs(n: number) {
  let calls = 0;
  return () => calls++ >= n * 2;
}
