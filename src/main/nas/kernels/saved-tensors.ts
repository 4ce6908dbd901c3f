// Tensors a hand-written backward keeps from its forward, without tfjs' copies, and never leaked.
//
// tf.customGrad's `save` clones every saved tensor (a full copy on wasm). A fused op instead keeps its
// own intermediates (tf.keep) and holds aliases (a reshape: the same data, one more reference) of tensors
// it does not own, such as its inputs. The holder is released by the op's backward. A holder whose
// backward never runs (the op was not on the path to the differentiated variables) belongs to a gradient
// tape that has ended: it is released at the next fused forward or by `releaseSavedTensors()`.
import * as tf from '@tensorflow/tfjs';

interface EngineState {
  gradientDepth: number;
  activeTape: unknown[] | null;
}

const engineState = () => (tf.engine() as unknown as { state: EngineState }).state;

/** True while a gradient tape records (inside tf.grads / variableGrads' forward). */
export function recordingGradients(): boolean {
  return engineState().gradientDepth > 0;
}

export class SavedTensors {
  private tensors: tf.Tensor[] = [];

  constructor(readonly tape: unknown) {}

  /** Keep a tensor this op created (it must not be returned or shared). */
  own<T extends tf.Tensor>(t: T): T {
    this.tensors.push(tf.keep(t));
    return t;
  }

  /** Keep another owner's tensor alive (an alias of its data; the owner's lifecycle is untouched). */
  alias<T extends tf.Tensor>(t: T): T {
    const a = tf.keep(tf.reshape(t, t.shape)) as T;
    this.tensors.push(a);
    return a;
  }

  get released(): boolean {
    return this.tensors.length === 0;
  }

  release(): void {
    for (const t of this.tensors) t.dispose();
    this.tensors = [];
    live.delete(this);
  }
}

const live = new Set<SavedTensors>();

/** A holder for the current tape, after releasing the holders of tapes that have ended. */
export function savedTensors(): SavedTensors {
  const tape = engineState().activeTape;
  for (const h of live) if (h.tape !== tape) h.release();
  const h = new SavedTensors(tape);
  live.add(h);
  return h;
}

/** Release every holder (call after a training step: nothing of its forward is needed any more). */
export function releaseSavedTensors(): void {
  for (const h of live) h.release();
}

/** Holders not yet released (for tests). */
export function savedHolderCount(): number {
  return live.size;
}
