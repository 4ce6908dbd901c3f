// Serves the built renderer: files under one folder only, index.html for unknown paths, cached by hash name.
import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** The file a URL path names inside `root`, or null (outside it, or missing). */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

export function sendStatic(res: ServerResponse, root: string, urlPath: string, headers: Record<string, string>): void {
  const direct = urlPath === '/' ? null : resolveStatic(root, urlPath);
  // A client-side route (no extension) gets the app; a missing asset is a 404.
  const file = direct ?? (path.extname(urlPath) === '' ? resolveStatic(root, '/index.html') : null);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end('Not found');
    return;
  }
  const ext = path.extname(file);
  const hashed = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...headers,
  });
  // A file that vanishes or fails mid-read (a rebuild) cuts this answer, never the server.
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
