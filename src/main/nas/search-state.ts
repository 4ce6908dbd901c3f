// Everything a search carries from step to step — weights, α, optimizer slots — and its checkpoint form.
import * as tf from '@tensorflow/tfjs';
import type { SearchConfig } from '../../shared/search-config';
import { Rng } from '../../shared/random';
import { Architecture } from './architecture';
import { decodeCheckpoint, encodeCheckpoint, CheckpointError, type CheckpointContents, type TensorRecord } from './checkpoint';
import { Adam } from './optim/adam';
import { Sgd } from './optim/sgd';
import { readVariables } from './readback';
import { SearchNetwork } from './search-network';

/** Where the next step will run: resuming re-enters the loop exactly here. */
export interface SearchPosition {
  epoch: number;
  step: number;
}

export interface SearchCheckpointMeta {
  kind: 'search';
  formatVersion: 1;
  config: SearchConfig;
  inputShape: [number, number, number];
  numClasses: number;
  position: SearchPosition;
  adamSteps: number;
  /** Running sums of the epoch in progress (mid-epoch checkpoints), so its metrics come out the same. */
  partial: { loss: number; correct: number; images: number; steps: number; seconds: number };
  /** Per-epoch metrics so far (JSON), so a run folder alone tells the whole story. */
  history: unknown[];
  createdAt: string;
}

export class SearchState {
  readonly net: SearchNetwork;
  readonly arch: Architecture;
  readonly sgd: Sgd;
  readonly adam: Adam;
  readonly alphaVars: Map<string, tf.Variable>;

  constructor(
    readonly config: SearchConfig,
    readonly inputShape: [number, number, number],
    readonly numClasses: number,
  ) {
    const rng = new Rng(config.seed);
    this.net = new SearchNetwork(
      {
        space: config.space,
        numClasses,
        inputShape,
        nodeNormalization: config.nodeNormalization,
        stem: config.stem,
        stemMultiplier: config.stemMultiplier,
      },
      rng,
    );
    this.arch = new Architecture(config.space, rng);
    this.alphaVars = new Map([
      ['alpha_normal', this.arch.alphaNormal],
      ['alpha_reduce', this.arch.alphaReduce],
    ]);
    this.sgd = new Sgd(this.net.params.trainable, { momentum: config.w.momentum, weightDecay: config.w.weightDecay });
    this.adam = new Adam(this.alphaVars, { beta1: config.alpha.beta1, beta2: config.alpha.beta2, weightDecay: config.alpha.weightDecay });
  }

  async toCheckpoint(meta: Omit<SearchCheckpointMeta, 'kind' | 'formatVersion' | 'config' | 'inputShape' | 'numClasses' | 'adamSteps' | 'createdAt'>): Promise<Uint8Array> {
    const tensors: Map<string, TensorRecord> = await readVariables([
      ['w/', this.net.params.trainable],
      ['buf/', this.net.params.buffers],
      ['alpha/', this.alphaVars],
      ['sgd/', this.sgd.momenta],
      ['adam_m/', this.adam.m],
      ['adam_v/', this.adam.v],
    ]);
    const full: SearchCheckpointMeta = {
      kind: 'search',
      formatVersion: 1,
      config: this.config,
      inputShape: this.inputShape,
      numClasses: this.numClasses,
      adamSteps: this.adam.t,
      createdAt: new Date().toISOString(),
      ...meta,
    };
    return encodeCheckpoint({ meta: full, tensors });
  }

  /** Load weights, α and optimizer state; the state must have been built from the checkpoint's config. */
  load(contents: CheckpointContents<SearchCheckpointMeta>): void {
    const { tensors, meta } = contents;
    const assign = (prefix: string, vars: Map<string, tf.Variable>, required: boolean) => {
      for (const [name, v] of vars) {
        const t = tensors.get(prefix + name);
        if (!t) {
          if (required) throw new CheckpointError(`checkpoint lacks ${prefix}${name}: it was made by a different network`);
          continue;
        }
        if (t.shape.join() !== v.shape.join()) throw new CheckpointError(`checkpoint ${prefix}${name} has shape [${t.shape}], network has [${v.shape}]`);
        v.assign(tf.tensor(t.data, t.shape));
      }
    };
    tf.tidy(() => {
      assign('w/', this.net.params.trainable, true);
      assign('buf/', this.net.params.buffers, true);
      assign('alpha/', this.alphaVars, true);
    });
    // Optimizer slots are created lazily; recreate the ones the checkpoint has.
    const restoreSlots = (prefix: string, slots: Map<string, tf.Variable>) => {
      for (const [key, t] of tensors) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        slots.get(name)?.dispose();
        slots.set(name, tf.variable(tf.tensor(t.data, t.shape), false));
      }
    };
    restoreSlots('sgd/', this.sgd.momenta);
    restoreSlots('adam_m/', this.adam.m);
    restoreSlots('adam_v/', this.adam.v);
    this.adam.t = meta.adamSteps;
  }

  dispose(): void {
    this.net.dispose();
    this.arch.dispose();
    this.sgd.dispose();
    this.adam.dispose();
  }
}

export function readSearchCheckpoint(bytes: Uint8Array): CheckpointContents<SearchCheckpointMeta> {
  const c = decodeCheckpoint<SearchCheckpointMeta>(bytes);
  if ((c.meta as { kind?: string }).kind !== 'search') throw new CheckpointError('this checkpoint is not from a search run');
  return c;
}

/** Rebuild a search state from checkpoint bytes (for resume and discretization). */
export function stateFromCheckpoint(bytes: Uint8Array): { state: SearchState; meta: SearchCheckpointMeta } {
  const contents = readSearchCheckpoint(bytes);
  const { meta } = contents;
  const state = new SearchState(meta.config, meta.inputShape, meta.numClasses);
  try {
    state.load(contents);
  } catch (e) {
    state.dispose();
    throw e;
  }
  return { state, meta };
}
