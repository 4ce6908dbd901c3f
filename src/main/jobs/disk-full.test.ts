// The disk-full classification and the reserve that lets the store record a run's end on a full disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskFullError, DiskReserve, isDiskFull } from './disk-full';

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-reserve-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('isDiskFull', () => {
  it('knows ENOSPC, EDQUOT, SQLITE_FULL and its own error, and nothing else', () => {
    expect([withCode('ENOSPC'), withCode('EDQUOT'), withCode('SQLITE_FULL'), new DiskFullError('/x', 1, 2)].map(isDiskFull)).toEqual([true, true, true, true]);
    expect([withCode('EIO'), withCode('SQLITE_BUSY'), new Error('disk full'), null, 'ENOSPC'].map(isDiskFull)).toEqual([false, false, false, false, false]);
  });
});

describe('DiskReserve', () => {
  it('sets the bytes aside once, and frees them once', () => {
    const r = new DiskReserve(path.join(dir, 'reserve.bin'), 4096);
    r.ensure();
    r.ensure();
    expect(fs.statSync(r.file).size).toBe(4096);
    expect(r.release()).toBe(true);
    expect(fs.existsSync(r.file)).toBe(false);
    expect(r.release()).toBe(false);
  });

  it('retries a store write that hit a full disk after freeing the reserve, once', () => {
    const r = new DiskReserve(path.join(dir, 'reserve.bin'), 4096);
    r.ensure();
    let calls = 0;
    expect(
      r.write(() => {
        if (calls++ === 0) throw withCode('SQLITE_FULL');
        return 'recorded';
      }),
    ).toBe('recorded');
    expect(calls).toBe(2);
    expect(fs.existsSync(r.file)).toBe(false);
    // No reserve left: the error goes to the caller.
    expect(() => r.write(() => { throw withCode('SQLITE_FULL'); })).toThrow('SQLITE_FULL');
  });

  it('passes other errors on without touching the reserve', () => {
    const r = new DiskReserve(path.join(dir, 'reserve.bin'), 4096);
    r.ensure();
    expect(() => r.write(() => { throw withCode('SQLITE_BUSY'); })).toThrow('SQLITE_BUSY');
    expect(fs.existsSync(r.file)).toBe(true);
  });
});
