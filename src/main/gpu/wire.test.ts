// The host ↔ engine frame codec: typed arrays travel raw and come back equal, wherever they sit in a message.
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './wire';

describe('wire frames', () => {
  it('round-trips typed arrays, Maps and non-finite numbers nested in plain data', () => {
    const msg = {
      type: 'event',
      event: {
        type: 'epoch',
        checkpoint: Uint8Array.from([1, 2, 3, 250, 0, 7, 9]),
        metrics: { loss: 1.5, bad: NaN, up: Infinity, down: -Infinity, list: [Float32Array.from([0.5, -2]), null, 'x'] },
      },
      views: new Map([['w', { x: Float64Array.from([Math.PI, -0]), y: Int32Array.from([-1, 2 ** 31 - 1]) }]]),
    };
    const back = decodeFrame<typeof msg>(encodeFrame(msg));
    expect(back.event.checkpoint).toBeInstanceOf(Uint8Array);
    expect([...back.event.checkpoint]).toEqual([1, 2, 3, 250, 0, 7, 9]);
    expect(back.event.metrics.bad).toBeNaN();
    expect(back.event.metrics.up).toBe(Infinity);
    expect(back.event.metrics.down).toBe(-Infinity);
    expect(back.event.metrics.list[0]).toBeInstanceOf(Float32Array);
    expect([...(back.event.metrics.list[0] as Float32Array)]).toEqual([0.5, -2]);
    expect(back.views).toBeInstanceOf(Map);
    const w = back.views.get('w')!;
    expect(w.x).toBeInstanceOf(Float64Array);
    expect([...w.x]).toEqual([Math.PI, -0]);
    expect([...w.y]).toEqual([-1, 2 ** 31 - 1]);
  });

  it('decodes from a misaligned buffer (a Node Buffer slice) by copying, and sends Buffers as Uint8Array', () => {
    const frame = encodeFrame({ a: Float32Array.from([1, 2, 3]), b: Buffer.from('hi') });
    const shifted = new Uint8Array(frame.length + 1);
    shifted.set(frame, 1);
    const back = decodeFrame<{ a: Float32Array; b: Uint8Array }>(shifted.subarray(1));
    expect([...back.a]).toEqual([1, 2, 3]);
    expect(back.b.constructor).toBe(Uint8Array);
    expect(new TextDecoder().decode(back.b)).toBe('hi');
  });

  it('keeps a large batch exact and the frame about its raw size', () => {
    const x = Float32Array.from({ length: 64 * 32 * 32 * 3 }, (_, i) => Math.sin(i) * 1e3);
    const frame = encodeFrame({ type: 'batch', id: 3, batch: { x, y: new Int32Array(64), n: 64, shape: [32, 32, 3] } });
    expect(frame.byteLength).toBeLessThan(x.byteLength + 64 * 4 + 512);
    const back = decodeFrame<{ batch: { x: Float32Array } }>(frame);
    expect(back.batch.x).toEqual(x);
  });

  it('rejects truncated frames', () => {
    const frame = encodeFrame({ a: new Float32Array(16) });
    expect(() => decodeFrame(frame.subarray(0, 3))).toThrow(/truncated/);
    expect(() => decodeFrame(frame.subarray(0, frame.length - 16))).toThrow(/truncated/);
  });
});
