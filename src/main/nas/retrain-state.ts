// Everything a retrain carries from step to step — weights, BN statistics, SGD momenta — and its checkpoint form.
import * as tf from '@tensorflow/tfjs';
import type { RetrainConfig } from '../../shared/retrain-config';
import { Rng } from '../../shared/random';
import { decodeCheckpoint, encodeCheckpoint, CheckpointError, type CheckpointContents, type TensorRecord } from './checkpoint';
import { EvalNetwork } from './eval-network';
import { Sgd } from './optim/sgd';
import { readVariables } from './readback';

/** Where the next step will run: resuming re-enters the loop exactly here. */
export interface RetrainPosition {
  epoch: number;
  step: number;
}

/** Running sums of the epoch in progress (mid-epoch checkpoints), so its metrics come out the same. */
export interface RetrainPartial {
  loss: number;
  correct: number;
  images: number;
  steps: number;
  seconds: number;
}

export interface RetrainCheckpointMeta {
  kind: 'retrain';
  formatVersion: 1;
  config: RetrainConfig;
  inputShape: [number, number, number];
  numClasses: number;
  position: RetrainPosition;
  partial: RetrainPartial;
  /** Per-epoch metrics so far (JSON), so a run folder alone tells the whole story. */
  history: unknown[];
  createdAt: string;
}

/** The final network a retrain config describes, on images of `inputShape` with `numClasses` classes. */
export function buildRetrainNetwork(config: RetrainConfig, inputShape: readonly [number, number, number], numClasses: number): EvalNetwork {
  return new EvalNetwork(
    {
      genotype: config.genotype,
      cells: config.cells,
      channels: config.channels,
      numClasses,
      inputShape,
      stem: config.stem,
      stemMultiplier: config.stemMultiplier,
      auxiliary: config.auxiliary,
    },
    new Rng(config.seed),
  );
}

export class RetrainState {
  readonly net: EvalNetwork;
  readonly sgd: Sgd;

  constructor(
    readonly config: RetrainConfig,
    readonly inputShape: [number, number, number],
    readonly numClasses: number,
  ) {
    this.net = buildRetrainNetwork(config, inputShape, numClasses);
    this.sgd = new Sgd(this.net.params.trainable, { momentum: config.optim.momentum, weightDecay: config.optim.weightDecay });
  }

  async toCheckpoint(meta: Pick<RetrainCheckpointMeta, 'position' | 'partial' | 'history'>): Promise<Uint8Array> {
    const tensors: Map<string, TensorRecord> = await readVariables([
      ['w/', this.net.params.trainable],
      ['buf/', this.net.params.buffers],
      ['sgd/', this.sgd.momenta],
    ]);
    const full: RetrainCheckpointMeta = {
      kind: 'retrain',
      formatVersion: 1,
      config: this.config,
      inputShape: this.inputShape,
      numClasses: this.numClasses,
      createdAt: new Date().toISOString(),
      ...meta,
    };
    return encodeCheckpoint({ meta: full, tensors });
  }

  /** Load weights, BN statistics and (with `optimizer`) SGD momenta; the state must come from the checkpoint's config. */
  load(contents: CheckpointContents<RetrainCheckpointMeta>, optimizer = true): void {
    const { tensors } = contents;
    const assign = (prefix: string, vars: Map<string, tf.Variable>) => {
      for (const [name, v] of vars) {
        const t = tensors.get(prefix + name);
        if (!t) throw new CheckpointError(`checkpoint lacks ${prefix}${name}: it was made by a different network`);
        if (t.shape.join() !== v.shape.join()) throw new CheckpointError(`checkpoint ${prefix}${name} has shape [${t.shape}], network has [${v.shape}]`);
        v.assign(tf.tensor(t.data, t.shape));
      }
    };
    tf.tidy(() => {
      assign('w/', this.net.params.trainable);
      assign('buf/', this.net.params.buffers);
    });
    if (!optimizer) return;
    // Momentum slots are created lazily (PyTorch's buf₀ = g): recreate exactly the ones the checkpoint has.
    for (const [key, t] of tensors) {
      if (!key.startsWith('sgd/')) continue;
      const name = key.slice('sgd/'.length);
      if (!this.net.params.trainable.has(name)) throw new CheckpointError(`checkpoint has momentum for ${name}, which the network lacks`);
      this.sgd.momenta.get(name)?.dispose();
      this.sgd.momenta.set(name, tf.variable(tf.tensor(t.data, t.shape), false));
    }
  }

  dispose(): void {
    this.net.dispose();
    this.sgd.dispose();
  }
}

export function readRetrainCheckpoint(bytes: Uint8Array): CheckpointContents<RetrainCheckpointMeta> {
  const c = decodeCheckpoint<RetrainCheckpointMeta>(bytes);
  if ((c.meta as { kind?: string }).kind !== 'retrain') throw new CheckpointError('this checkpoint is not from a retrain run');
  return c;
}

/** Rebuild a retrain state from checkpoint bytes (for resume and evaluation). */
export function retrainStateFromCheckpoint(bytes: Uint8Array, optimizer = true): { state: RetrainState; meta: RetrainCheckpointMeta } {
  const contents = readRetrainCheckpoint(bytes);
  const { meta } = contents;
  const state = new RetrainState(meta.config, meta.inputShape, meta.numClasses);
  try {
    state.load(contents, optimizer);
  } catch (e) {
    state.dispose();
    throw e;
  }
  return { state, meta };
}
