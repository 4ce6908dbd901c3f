// `npm start` where Electron cannot run (no binary here, no display): one line saying why, then browser mode on loopback.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureUiBuilt } from '../e2e/harness';

const root = path.resolve(__dirname, '../..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-start-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
// Build out/ under the e2e lock first: other test files serve the UI too, and two builds of out/ at once collide.
beforeAll(() => ensureUiBuilt(), 300_000);

it('falls back to browser mode with its URL, and the page loads with the token', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NASW_HOME: home };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  // Its own process group, so the test stops npm, the launcher and the server together.
  const child = spawn('npm', ['start', '--', '--port', '0', '--no-open'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /^open (http:\/\/127\.0\.0\.1:\d+\/\S*token=\S+)$/m.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m[1]!);
        }
      }, 200);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`npm start exited (${code}) before printing a URL:\n${out}\n${err}`));
      });
    });
    // One line saying why there is no desktop app, before browser mode's own output.
    const why = out.split('\n').filter((l) => l.startsWith('npm start:'));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/^npm start: no desktop app — .+; starting browser mode instead\.$/);
    expect(out).toContain(`NAS Workbench (browser mode) for ${home}`);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="app">/);
    const noToken = await fetch(url.replace(/\?.*$/, ''));
    expect(noToken.status).toBeGreaterThanOrEqual(400);
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
});
