// Reading tensors back to JavaScript, always asynchronously. WebGPU has no synchronous readback (tfjs'
// dataSync goes through a canvas there and returns zeros on some adapters: tfjs#7630), and on WebGL an
// asynchronous read waits on a fence instead of stalling the pipeline. The engine reads losses, counts,
// norms and checkpoints only through here (or `await t.data()`), so it trains on every backend.
import * as tf from '@tensorflow/tfjs';

/** The values of scalar tensors in one device read (float32; counts are exact below 2²⁴). Disposes them. */
export async function readScalars(scalars: tf.Tensor[]): Promise<number[]> {
  if (scalars.length === 0) return [];
  const packed = tf.tidy(() => tf.concat(scalars.map((t) => tf.reshape(tf.cast(t, 'float32'), [1])), 0));
  tf.dispose(scalars);
  try {
    return Array.from(await packed.data());
  } finally {
    packed.dispose();
  }
}

/** One scalar tensor's value; disposes it. */
export async function readScalar(t: tf.Tensor): Promise<number> {
  return (await readScalars([t]))[0]!;
}

/** Every variable of the named groups as checkpoint records keyed `prefix + name`, read concurrently. */
export async function readVariables(groups: [prefix: string, vars: Map<string, tf.Variable>][]): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const entries = groups.flatMap(([prefix, vars]) => [...vars].map(([name, v]) => [prefix + name, v] as const));
  const data = await Promise.all(entries.map(([, v]) => v.data() as Promise<Float32Array>));
  return new Map(entries.map(([key, v], i) => [key, { shape: v.shape.slice(), data: data[i]! }]));
}
