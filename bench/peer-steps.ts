// A few search steps on one data-parallel peer (or alone), returning the resulting α, weights and losses (for the equivalence test).
import * as tf from '@tensorflow/tfjs';
import { searchConfig } from '../src/shared/search-config';
import { selectBackend } from '../src/main/nas/backend';
import { setCollective, type Collective } from '../src/main/nas/collective';
import { alphaStep, batchTensors, peerBatch, weightStep } from '../src/main/nas/search';
import { SearchState } from '../src/main/nas/search-state';
import { RandomSource } from './measure';

export interface StepsInput {
  steps: number;
  batch: number;
  channels: number;
}

export interface StepsResult {
  losses: number[];
  correct: number[];
  alpha: number[];
  weights: Record<string, number[]>;
  buffers: Record<string, number[]>;
}

export async function peerMain(input: StepsInput, c: Collective | null): Promise<StepsResult> {
  await selectBackend('wasm');
  setCollective(c);
  try {
    const config = searchConfig({ space: { cells: 3, channels: input.channels, nodes: 2 }, batchSize: input.batch, alpha: { freezeEpochs: 0 } });
    const state = new SearchState(config, [8, 8, 3], 4);
    const source = new RandomSource(1000, [8, 8, 3], 4, 3);
    const losses: number[] = [];
    const correct: number[] = [];
    for (let s = 0; s < input.steps; s++) {
      const a = batchTensors(peerBatch(await source.batch(0, 2 * s, input.batch)));
      losses.push(await alphaStep(state, a.x, a.y));
      tf.dispose([a.x, a.y]);
      const w = batchTensors(peerBatch(await source.batch(0, 2 * s + 1, input.batch)));
      const r = await weightStep(state, w.x, w.y, 0.05);
      losses.push(r.loss);
      correct.push(r.correct);
      tf.dispose([w.x, w.y]);
    }
    const pick = (m: Map<string, tf.Variable>) => Object.fromEntries([...m].map(([k, v]) => [k, Array.from(v.dataSync())]));
    const result = {
      losses,
      correct,
      alpha: [...state.arch.alphaNormal.dataSync(), ...state.arch.alphaReduce.dataSync()],
      weights: pick(state.net.params.trainable),
      buffers: pick(state.net.params.buffers),
    };
    state.dispose();
    return result;
  } finally {
    setCollective(null);
  }
}
