import { describe, expect, it } from 'vitest';
import { CheckpointError, crc32, decodeCheckpoint, encodeCheckpoint } from './checkpoint';

function sample() {
  return encodeCheckpoint({
    meta: { epoch: 3, note: 'α ünïcode' },
    tensors: new Map([
      ['a', { shape: [2, 3], data: Float32Array.from([1, -2, 3, -4, 5, 6.5]) }],
      ['b', { shape: [1], data: Float32Array.from([Math.PI]) }],
    ]),
  });
}

describe('checkpoint bytes', () => {
  it('round-trips meta and tensors bit-exactly', () => {
    const c = decodeCheckpoint<{ epoch: number; note: string }>(sample());
    expect(c.meta).toEqual({ epoch: 3, note: 'α ünïcode' });
    expect([...c.tensors.get('a')!.data]).toEqual([1, -2, 3, -4, 5, 6.5]);
    expect(c.tensors.get('a')!.shape).toEqual([2, 3]);
    expect(c.tensors.get('b')!.data[0]).toBe(Math.fround(Math.PI));
  });
  it('detects truncation', () => {
    const b = sample();
    expect(() => decodeCheckpoint(b.subarray(0, b.length - 4))).toThrow(/truncated/);
    expect(() => decodeCheckpoint(b.subarray(0, 10))).toThrow(CheckpointError);
  });
  it('detects a flipped data byte', () => {
    const b = sample();
    b[b.length - 1]! ^= 0x40;
    expect(() => decodeCheckpoint(b)).toThrow(/CRC/);
  });
  it('rejects other files', () => {
    expect(() => decodeCheckpoint(new TextEncoder().encode('hello world, not a checkpoint'))).toThrow(/magic/);
  });
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
  it('refuses a shape that does not match the data', () => {
    expect(() => encodeCheckpoint({ meta: {}, tensors: new Map([['x', { shape: [3], data: new Float32Array(2) }]]) })).toThrow(/shape/);
  });
});
