// GramProbe against inner products computed by hand in float64, on both CPU backends, over two batches.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Primitive } from '../../../shared/search-space';
import { Rng } from '../../../shared/random';
import { TEST_BACKENDS, useBackend } from '../testing/backends';
import { decorrelationCandidates, decorrelationVectorCount, decorrelationVectorIndex } from './decorrelation';
import { GramProbe } from './gram-probe';

const NODES = 2;
const OPS: Primitive[] = ['none', 'skip_connect', 'sep_conv_3x3', 'max_pool_3x3'];
const SHAPE: [number, number, number, number] = [3, 4, 4, 5];

/** One batch: every vector of the Gram layout as plain numbers (negative values included). */
function batch(rng: Rng): Float64Array[] {
  const n = SHAPE.reduce((a, b) => a * b, 1);
  return Array.from({ length: decorrelationVectorCount(NODES, OPS) }, () => Float64Array.from({ length: n }, () => Math.fround(rng.next() * 2 - 1)));
}

/** Feed a batch through the probe as a cell would: ops of each node's edges, then the node sum. */
function feed(probe: GramProbe, cell: number, vectors: Float64Array[]): void {
  tf.tidy(() => {
    for (let node = 0; node < NODES; node++) {
      for (let input = 0; input < node + 2; input++) {
        for (const op of decorrelationCandidates(OPS)) {
          const v = vectors[decorrelationVectorIndex(NODES, OPS, { node, input, op })]!;
          probe.op(cell, node, input, op, tf.tensor4d(Float32Array.from(v), SHAPE));
        }
      }
      probe.node(cell, node, tf.tensor4d(Float32Array.from(vectors[node]!), SHAPE));
    }
  });
}

describe.each(TEST_BACKENDS)('GramProbe on %s', (backend) => {
  it('accumulates A·Aᵀ of every node and op output over batches, per cell', async () => {
    await useBackend(backend);
    const rng = new Rng(7);
    const probe = new GramProbe(NODES, OPS);
    const size = decorrelationVectorCount(NODES, OPS);
    const expected = new Float64Array(size * size);
    const before = tf.memory().numTensors;
    for (let b = 0; b < 2; b++) {
      const vectors = batch(rng);
      feed(probe, 3, vectors);
      // Nothing is read back until the flush; a second forward before it would lose a batch.
      if (b === 0) expect(() => feed(probe, 3, vectors)).toThrow(/not flushed/);
      await probe.flush();
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          let s = 0;
          for (let k = 0; k < vectors[i]!.length; k++) s += vectors[i]![k]! * vectors[j]![k]!;
          expected[i * size + j]! += s;
        }
      }
    }
    expect([...probe.grams.keys()]).toEqual([3]);
    const got = probe.grams.get(3)!;
    let scale = 0;
    for (const v of expected) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-5 * scale);
    // Symmetric, and nothing left on the device.
    for (let i = 0; i < size; i++) for (let j = 0; j < i; j++) expect(got[i * size + j]).toBeCloseTo(got[j * size + i]!, 4);
    expect(tf.memory().numTensors).toBe(before);
  });
});
