// Finds the built renderer (out/renderer) and builds it on first serve, so `nasw serve` works from a fresh clone.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file sits in src/main/server). */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

export function rendererDir(root = repoRoot()): string {
  return path.join(root, 'out', 'renderer');
}

export function rendererBuilt(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}

/** In a checkout: whether a UI source (src/renderer, src/shared) changed after the last build. */
export function rendererStale(root: string, dir: string): boolean {
  const built = path.join(dir, 'index.html');
  if (!fs.existsSync(built)) return true;
  const builtAt = fs.statSync(built).mtimeMs;
  const newer = (p: string): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(p, { withFileTypes: true });
    } catch {
      return false;
    }
    return entries.some((e) => {
      const full = path.join(p, e.name);
      if (e.isDirectory()) return newer(full);
      return !e.name.endsWith('.test.ts') && fs.statSync(full).mtimeMs > builtAt;
    });
  };
  return newer(path.join(root, 'src', 'renderer')) || newer(path.join(root, 'src', 'shared'));
}

/** The app's version from package.json (npm sets no variable when bin/nasw.js runs directly). */
export function packageVersion(root = repoRoot()): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The renderer folder, built first when missing, older than its sources, or when `rebuild`: runs
 * electron-vite's build, the same as `npm run build` (main, preload and renderer; no Electron binary needed).
 */
export async function ensureRenderer(opts: { root?: string; rebuild?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  const root = opts.root ?? repoRoot();
  const dir = rendererDir(root);
  if (!opts.rebuild && !rendererStale(root, dir)) return dir;
  const configFile = path.join(root, 'electron.vite.config.ts');
  if (!fs.existsSync(configFile)) throw new Error(`No built renderer in ${dir}, and no ${configFile} to build it with.`);
  opts.log?.(`building the UI (electron-vite build) into ${path.join(root, 'out')} …`);
  const started = Date.now();
  const { build } = await import('electron-vite');
  await build({ root, configFile, logLevel: 'warn' });
  if (!rendererBuilt(dir)) throw new Error(`electron-vite build finished but ${dir}/index.html is missing.`);
  opts.log?.(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}
