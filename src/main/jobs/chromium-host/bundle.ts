// Finds the engine bundle (out/gpu) and builds it with vite when missing or older than its sources, like browser mode's UI.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout this module runs from (the folder with the app's package.json and vite.gpu.config.ts), or
 * null in a built app (src/main/jobs/chromium-host in a checkout; bundled into out/main/worker.js otherwise).
 */
export function checkoutRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'nas-workbench') return fs.existsSync(path.join(dir, 'vite.gpu.config.ts')) ? dir : null;
    } catch {
      // not here
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** out/gpu: in the checkout, or beside out/main in a built app (app.asar.unpacked/out/gpu when packaged). */
export function gpuBundleDir(root = checkoutRoot()): string {
  if (root) return path.join(root, 'out', 'gpu');
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'gpu');
}

/** Sources the bundle is made of: the page and worker, the engine, the shared code. */
const SOURCE_DIRS = ['src/main/gpu', 'src/main/nas', 'src/shared'];

function newestSource(root: string): number {
  let newest = 0;
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(root, d));
  const config = path.join(root, 'vite.gpu.config.ts');
  if (fs.existsSync(config)) newest = Math.max(newest, fs.statSync(config).mtimeMs);
  return newest;
}

/** Whether the bundle is missing, or (in a checkout) older than a source file. A built app has no sources: never stale. */
export function gpuBundleStale(root = checkoutRoot(), dir = gpuBundleDir(root)): boolean {
  const stamp = path.join(dir, 'build.json');
  if (!fs.existsSync(stamp) || !fs.existsSync(path.join(dir, 'index.html'))) return true;
  return root !== null && newestSource(root) > fs.statSync(stamp).mtimeMs;
}

export interface GpuBundle {
  dir: string;
  /** A hash of the built files: the self-test on record is only trusted for the engine it tested. */
  stamp: string;
}

function readStamp(dir: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'build.json'), 'utf8')) as { stamp: string }).stamp;
  } catch {
    return 'unknown';
  }
}

/** A directory lock (mkdir is atomic): concurrent jobs and tests build the bundle once. Stale after 10 minutes. */
async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - fs.statSync(lockDir).mtimeMs > 600_000) fs.rmSync(lockDir, { recursive: true, force: true });
      } catch {
        // removed meanwhile
      }
      if (i > 2400) throw new Error(`timed out waiting for ${lockDir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * The engine bundle, built first when missing, older than its sources, or when `rebuild`. Builds into a
 * temporary folder and swaps it in, so a running host never serves a half-written bundle.
 */
export async function ensureGpuBundle(opts: { root?: string; rebuild?: boolean; log?: (line: string) => void } = {}): Promise<GpuBundle> {
  const root = opts.root ?? checkoutRoot();
  const dir = gpuBundleDir(root);
  if (!opts.rebuild && !gpuBundleStale(root, dir)) return { dir, stamp: readStamp(dir) };
  if (!root) {
    if (fs.existsSync(path.join(dir, 'index.html'))) return { dir, stamp: readStamp(dir) };
    throw new Error(`no engine bundle in ${dir}: the app was built without it (npm run build makes out/gpu)`);
  }
  const configFile = path.join(root, 'vite.gpu.config.ts');
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  return withLock(`${dir}.lock`, async () => {
    // Another process may have built it while we waited for the lock.
    if (!opts.rebuild && !gpuBundleStale(root, dir)) return { dir, stamp: readStamp(dir) };
    const tmp = `${dir}.build-${process.pid}`;
    opts.log?.(`building the GPU engine bundle (vite) into ${dir} …`);
    const started = Date.now();
    const { build } = await import('vite');
    await build({ configFile, logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
    if (!fs.existsSync(path.join(tmp, 'build.json'))) throw new Error(`vite finished but ${tmp}/build.json is missing`);
    const old = `${dir}.old-${process.pid}`;
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
    opts.log?.(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { dir, stamp: readStamp(dir) };
  });
}
