#!/usr/bin/env node
// `npm start`: the desktop app where Electron can run; otherwise one line saying why, then browser mode on loopback.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

/** Fetching Electron 45's binary (@electron/get 5) needs Node 22.12+; running it, the CLI and browser mode need 20.19. */
const FETCH_NODE = [22, 12];

/** The Electron binary to run, fetched on first launch; or why the desktop app cannot start here. */
function electronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { why: 'the electron package is not installed (npm install)' };
  }
  const pathFile = path.join(dir, 'path.txt');
  const binary = () => (fs.existsSync(pathFile) ? path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim()) : null);
  let bin = binary();
  if (!bin || !fs.existsSync(bin)) {
    const [major, minor] = process.versions.node.split('.').map(Number);
    if (major < FETCH_NODE[0] || (major === FETCH_NODE[0] && minor < FETCH_NODE[1])) {
      return { why: `Electron's binary is not installed, and fetching it needs Node ${FETCH_NODE.join('.')}+ (this is ${process.versions.node})` };
    }
    // What electron's own postinstall does; electron-vite only reads path.txt and would stop at "Electron uninstall".
    process.stdout.write("fetching Electron's binary (first launch) …\n");
    const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
    bin = binary();
    if (r.status !== 0 || !bin || !fs.existsSync(bin)) {
      const detail = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').find((l) => /error/i.test(l))?.trim() ?? (r.error ? r.error.message : `exit code ${r.status}`);
      return { why: `Electron's binary could not be fetched (${detail.slice(0, 200)})` };
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { why: 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  // The binary can be present but unable to run (missing system libraries).
  const probe = spawnSync(bin, ['--version'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) {
    const detail = (probe.stderr || probe.error?.message || `exit code ${probe.status}`).split('\n')[0].trim();
    return { why: `Electron's binary does not run here (${detail.slice(0, 200)})` };
  }
  return { bin };
}

/** Run a Node script as the foreground child; Ctrl+C and SIGTERM go to it, and its exit code becomes ours. */
function runNode(script, scriptArgs, env = process.env) {
  const child = spawn(process.execPath, [script, ...scriptArgs], { cwd: root, stdio: 'inherit', env });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = electronBinary();
if (electron.bin) {
  runNode(path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js'), ['preview', ...args], {
    ...process.env,
    ELECTRON_EXEC_PATH: electron.bin,
  });
} else {
  process.stdout.write(`npm start: no desktop app — ${electron.why}; starting browser mode instead.\n`);
  runNode(path.join(root, 'bin', 'nasw.js'), ['serve', ...args]);
}
