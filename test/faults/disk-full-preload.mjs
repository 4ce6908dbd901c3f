// Test-only stand-in for a full disk where a small tmpfs cannot be mounted: loaded with NODE_OPTIONS=--import,
// it lets this process write NASW_DISK_FULL_ROOM bytes to files under NASW_DISK_FULL_UNDER, then gives a short
// write and ENOSPC, as Linux does when a file system fills up.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

const under = process.env.NASW_DISK_FULL_UNDER;
let room = Number(process.env.NASW_DISK_FULL_ROOM);

if (under && Number.isFinite(room)) {
  const watched = new Set();
  const { openSync, closeSync, writeSync } = fs;
  fs.openSync = function (p, ...rest) {
    const fd = openSync.call(fs, p, ...rest);
    if (path.resolve(String(p)).startsWith(under)) watched.add(fd);
    return fd;
  };
  fs.closeSync = function (fd) {
    watched.delete(fd);
    return closeSync.call(fs, fd);
  };
  fs.writeSync = function (fd, data, ...rest) {
    if (!watched.has(fd)) return writeSync.call(fs, fd, data, ...rest);
    if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    // (fd, string[, position[, encoding]]) or (fd, buffer[, offset[, length[, position]]]): both become bytes.
    const bytes = typeof data === 'string' ? Buffer.from(data, typeof rest[1] === 'string' ? rest[1] : 'utf8') : data;
    const offset = typeof data === 'string' ? 0 : (rest[0] ?? 0);
    const length = typeof data === 'string' ? bytes.length : (rest[1] ?? bytes.length - offset);
    const n = Math.min(length, room);
    room -= n;
    return writeSync.call(fs, fd, bytes, offset, n);
  };
  syncBuiltinESMExports();
}
