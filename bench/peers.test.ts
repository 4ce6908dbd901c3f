// Two data-parallel peers (worker threads, synchronised batch norm, summed gradients) give one process's results.
import { describe, expect, it } from 'vitest';
import { peerMain, type StepsResult } from './peer-steps';
import { runPeers } from './peers';

function scaledError(a: number[], b: number[]): number {
  let num = 0;
  let den = 1e-3;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

describe('data-parallel peers', () => {
  for (const channels of [8, 2]) it(`two peers on half batches reach the α, weights and running statistics of one process on the whole batch (${channels === 8 ? 'fused wasm cells' : 'cells on the layer path, channel counts the kernels do not cover'})`, async () => {
    const input = { steps: 2, batch: 8, channels };
    const alone = await peerMain(input, null);
    const { main, others } = await runPeers(2, { module: new URL('./peer-steps.ts', import.meta.url).href, input }, (c) => peerMain(input, c));
    const other = others[0] as StepsResult;
    // The peers agree with each other bit for bit (same summed gradients, same order of sums).
    expect(other.alpha).toEqual(main.alpha);
    expect(other.losses).toEqual(main.losses);
    // And with the single process, to float32 tolerance.
    expect(scaledError(main.losses, alone.losses)).toBeLessThan(1e-5);
    expect(main.correct).toEqual(alone.correct);
    expect(scaledError(main.alpha, alone.alpha)).toBeLessThan(1e-4);
    for (const [name, w] of Object.entries(alone.weights)) {
      const err = scaledError(main.weights[name]!, w);
      if (err > 1e-4) throw new Error(`${name}: differs by ${err.toExponential(2)} of its scale`);
    }
    for (const [name, b] of Object.entries(alone.buffers)) expect(scaledError(main.buffers[name]!, b), name).toBeLessThan(1e-4);
  });
});
