// The installers' configuration, checked against a real `electron-vite build` (electron-builder itself cannot run
// here: it downloads Electron). electron-builder's own loader and schema read electron-builder.yml; then every file
// it names exists, the job worker's entry and everything it imports is unpacked from app.asar and packaged, the
// wasm binaries are unpacked, and the icons have the sizes the targets need.
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { unpackedPath } from '../../src/main/app/asar-paths';
import { ROOT, ensureUiBuilt } from './harness';

interface FileSet {
  from?: string;
  to?: string;
  filter?: string[] | string;
}
interface Target {
  target: string;
  arch?: string[];
}
interface BuilderConfig {
  appId?: string;
  productName?: string;
  directories?: { buildResources?: string; output?: string };
  files?: (string | FileSet)[];
  asar?: boolean;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  win?: { target?: (string | Target)[]; icon?: string };
  nsis?: { oneClick?: boolean; installerIcon?: string; uninstallerIcon?: string };
  linux?: { target?: (string | Target)[]; icon?: string; category?: string; maintainer?: string; executableName?: string };
}

// electron-builder's own modules (a dev dependency), found the way it finds them.
const builderRequire = createRequire(createRequire(path.join(ROOT, 'package.json')).resolve('app-builder-lib/package.json'));
const { getConfig, validateConfiguration } = builderRequire('./out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>;
};
const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { minimatch } = builderRequire('minimatch') as { minimatch: (p: string, pattern: string, o?: object) => boolean };

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; productName: string; dependencies: Record<string, string>; scripts: Record<string, string> };
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron']);
let config: BuilderConfig;

const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join('/');
/** The app's own file patterns (electron-builder's loader turns the plain strings into one fileset without from/to). */
const patterns = () =>
  (config.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : f.from === undefined && f.to === undefined ? [f.filter ?? []].flat() : []));
const globs = (kind: 'include' | 'exclude') => patterns().filter((f) => f.startsWith('!') === (kind === 'exclude')).map((f) => f.replace(/^!/, ''));
/** Whether electron-builder packages this project file (matched by `files`, not excluded). */
const packaged = (file: string) => globs('include').some((g) => minimatch(file, g, { dot: true })) && !globs('exclude').some((g) => minimatch(file, g, { dot: true }));
/** Whether this packaged file lands under app.asar.unpacked. */
const unpacked = (file: string) => (config.asarUnpack ?? []).some((g) => minimatch(file, g, { dot: true }));

/** Modules a built file imports: static `import … from "x"` / `export … from "x"` lines and `import("x")`. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*"([^"]+)";?\s*$/gm),
    ...text.matchAll(/^\s*import\s*"([^"]+)";?\s*$/gm),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1]!);
}

const packageName = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

/** The folder of package `name` as Node finds it from `fromDir`; null when not installed. */
function packageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** Packages reachable from `roots` through dependencies (and installed optional ones): folder → name. */
function closure(roots: [string, string][]): Map<string, string> {
  const out = new Map<string, string>();
  const queue = [...roots];
  while (queue.length) {
    const [name, from] = queue.pop()!;
    const dir = packageDir(name, from);
    if (!dir || out.has(dir)) continue;
    out.set(dir, name);
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) queue.push([dep, dir]);
  }
  return out;
}

/** A built entry and every file it loads (relative imports), with the bare modules they import. */
function entryGraph(entry: string): { files: string[]; missing: string[]; bare: Map<string, string> } {
  const files: string[] = [];
  const missing: string[] = [];
  const bare = new Map<string, string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (fs.existsSync(target) && fs.statSync(target).isFile()) queue.push(target);
        // The bundler writes its own imports with their extension; one without is code inside a string.
        else if (/\.[cm]?js$/.test(spec)) missing.push(`${rel(file)} → ${spec}`);
      } else if (!builtins.has(spec) && !spec.includes('${')) bare.set(spec, file);
    }
  }
  return { files, missing, bare };
}

describe('the installers (electron-builder.yml) against the built app', () => {
  beforeAll(async () => {
    await ensureUiBuilt();
    config = await getConfig(ROOT, null, null);
    // electron-builder's JSON-schema check: unknown or mistyped options fail here, as they would in `npm run dist`.
    await validateConfiguration(config, new DebugLogger(false));
  }, 300_000);

  it('names the app, its targets (Windows NSIS, Linux AppImage and .deb) and rebuilds native modules for Electron', () => {
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,}$/);
    expect(config.productName).toBe(pkg.productName);
    const names = (ts: (string | Target)[] | undefined) => (ts ?? []).map((t) => (typeof t === 'string' ? t : t.target)).sort();
    expect(names(config.win?.target)).toEqual(['nsis']);
    expect(names(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(config.nsis?.oneClick).toBe(false);
    // A .deb needs a maintainer; package.json names no author.
    expect(config.linux?.maintainer).toMatch(/<[^@\s]+@[^@\s]+>/);
    expect(config.npmRebuild).toBe(true);
    expect(config.asar).toBe(true);
    expect(pkg.scripts.dist).toMatch(/npm run build && electron-builder/);
    expect(pkg.scripts['dist:win']).toMatch(/--win/);
    expect(pkg.scripts['dist:linux']).toMatch(/--linux/);
  });

  it('packages the built main process, preload and renderer that package.json and the main process name', () => {
    for (const file of [pkg.main, 'out/main/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'package.json']) {
      expect(fs.existsSync(path.join(ROOT, file)), file).toBe(true);
      expect(packaged(file), `${file} is packaged`).toBe(true);
    }
    for (const asset of fs.readdirSync(path.join(ROOT, 'out/renderer/assets'))) expect(packaged(`out/renderer/assets/${asset}`), asset).toBe(true);
    // Source maps and the test suite's build lock stay out.
    expect(packaged('out/main/index.js.map')).toBe(false);
    // Every fileset's source exists.
    for (const f of config.files ?? []) if (typeof f !== 'string' && f.from) expect(fs.existsSync(path.join(ROOT, f.from)), f.from).toBe(true);
  });

  it('runs the job worker from app.asar.unpacked, where its chunks and every module it imports are unpacked and packaged', () => {
    const entry = path.join(ROOT, 'out/main/worker.js');
    expect(unpackedPath('/opt/NAS Workbench/resources/app.asar/out/main/worker.js')).toBe('/opt/NAS Workbench/resources/app.asar.unpacked/out/main/worker.js');
    expect(unpackedPath('C:\\NAS\\resources\\app.asar\\out\\main\\worker.js')).toBe('C:\\NAS\\resources\\app.asar.unpacked\\out\\main\\worker.js');
    const { files, missing, bare } = entryGraph(entry);
    expect(missing).toEqual([]);
    for (const f of files) expect(unpacked(rel(f)), `${rel(f)} is unpacked`).toBe(true);
    // The unpacked worker is an ES module: a package.json with "type": "module" is placed beside it.
    const typeFile = (config.files ?? []).find((f): f is FileSet => typeof f !== 'string' && f.to === 'out/main');
    expect(typeFile, 'a fileset putting package.json into out/main').toBeDefined();
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, typeFile!.from!, 'package.json'), 'utf8')).type).toBe('module');
    expect(unpacked('out/main/package.json')).toBe(true);
    // What electron-builder packages: the dependencies of package.json and theirs.
    const production = closure(Object.keys(pkg.dependencies).map((d) => [d, ROOT]));
    const roots: [string, string][] = [];
    for (const [spec, from] of bare) {
      const dir = packageDir(packageName(spec), path.dirname(from));
      // Not installed here (an optional peer a bundled library probes for): not packaged either, and not loaded.
      if (!dir) continue;
      expect(production.has(dir), `${spec} (imported by ${rel(from)}) is a production dependency, so it is packaged`).toBe(true);
      roots.push([packageName(spec), path.dirname(from)]);
    }
    expect(roots.map(([n]) => n)).toEqual(expect.arrayContaining(['@tensorflow/tfjs']));
    for (const [dir, name] of closure(roots)) {
      const manifest = `${rel(dir)}/package.json`;
      expect(packaged(manifest) || /^node_modules\//.test(manifest), `${name} is packaged`).toBe(true);
      expect(globs('exclude').some((g) => minimatch(manifest, g, { dot: true })), `${name} is not excluded`).toBe(false);
      expect(unpacked(manifest), `${name} (${rel(dir)}) is unpacked`).toBe(true);
    }
  });

  it('packages what the main process imports (none of it left out with the renderer-only packages)', () => {
    const { bare, missing } = entryGraph(path.join(ROOT, pkg.main));
    expect(missing).toEqual([]);
    const production = closure(Object.keys(pkg.dependencies).map((d) => [d, ROOT]));
    for (const [spec, from] of bare) {
      const dir = packageDir(packageName(spec), path.dirname(from));
      if (!dir) continue;
      expect(production.has(dir), `${spec} is a production dependency`).toBe(true);
      expect(globs('exclude').some((g) => minimatch(`${rel(dir)}/package.json`, g, { dot: true })), `${spec} is not excluded`).toBe(false);
    }
  });

  it('unpacks the TensorFlow.js wasm binaries (and the Chromium job host’s copies, when built)', () => {
    const dist = path.join(path.dirname(createRequire(path.join(ROOT, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    const wasm = fs.readdirSync(dist).filter((f) => f.endsWith('.wasm'));
    expect(wasm).toEqual(expect.arrayContaining(['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']));
    for (const f of wasm) expect(unpacked(rel(path.join(dist, f))), f).toBe(true);
    const gpu = path.join(ROOT, 'out/gpu/wasm');
    if (fs.existsSync(gpu)) {
      for (const f of fs.readdirSync(gpu)) {
        expect(packaged(`out/gpu/wasm/${f}`), `out/gpu/wasm/${f} is packaged`).toBe(true);
        expect(unpacked(`out/gpu/wasm/${f}`), `out/gpu/wasm/${f} is unpacked`).toBe(true);
      }
    }
  });

  it('has the icons each target needs, at their sizes', async () => {
    const resources = path.join(ROOT, config.directories?.buildResources ?? 'build');
    const size = async (file: string | Buffer) => {
      const m = await sharp(file).metadata();
      return [m.format, m.width, m.height];
    };
    expect(await size(path.join(resources, 'icon.png'))).toEqual(['png', 512, 512]);
    // Linux: a folder of <n>x<n>.png, 16 to 512.
    const linuxDir = path.join(ROOT, config.linux!.icon!);
    for (const n of [16, 32, 48, 64, 128, 256, 512]) expect(await size(path.join(linuxDir, `${n}x${n}.png`)), `${n}x${n}.png`).toEqual(['png', n, n]);
    // Windows: an ICO with 16 … 256 (256 written as 0 in the directory), each entry a PNG of its size.
    for (const ico of [config.win!.icon!, config.nsis!.installerIcon!, config.nsis!.uninstallerIcon!]) expect(ico).toBe('resources/icon.ico');
    const ico = fs.readFileSync(path.join(ROOT, config.win!.icon!));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const e = 6 + 16 * i;
      const w = ico.readUInt8(e) || 256;
      const png = ico.subarray(ico.readUInt32LE(e + 12), ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8));
      expect(await size(png), `ICO entry ${w}`).toEqual(['png', w, w]);
      sizes.push(w);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });
});
