// `nasw serve`: browser mode — the workbench UI and API on loopback, protected by a token printed in the URL.
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { openWorkbench } from '../api';
import { ensureRenderer, generateToken, isLoopback, packageVersion, startApiServer } from '../server';

interface ServeFlags {
  port: string;
  host: string;
  open: boolean;
  rebuild: boolean;
  maxConcurrent: string;
  json: boolean;
}

export function registerServeCommand(program: Command, getHome: () => string): void {
  program
    .command('serve')
    .description('serve the workbench UI in a browser (loopback only by default; every request needs the printed token)')
    .option('--port <n>', 'port to listen on (0: any free port)', '4310')
    .option('--host <addr>', 'interface to listen on; anything but loopback exposes the workbench to the network', '127.0.0.1')
    .option('--no-open', 'do not open a browser')
    .option('--rebuild', 'build the UI again even if out/renderer is up to date', false)
    .option('--max-concurrent <n>', 'jobs running at once', '1')
    .option('--json', 'print the address as one JSON line', false)
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port expects 0–65535, got '${flags.port}'`);
      const maxConcurrent = Number(flags.maxConcurrent);
      if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new Error(`--max-concurrent expects a whole number ≥ 1, got '${flags.maxConcurrent}'`);
      const log = (line: string) => process.stderr.write(`nasw serve: ${line}\n`);
      const home = getHome();
      const renderer = await ensureRenderer({ rebuild: flags.rebuild, log });
      const workbench = openWorkbench({ home, mode: 'browser', maxConcurrent, version: packageVersion(), onEventError: (e, m) => log(`dropped a "${e}" event that breaks the contract: ${m}`) });
      let server;
      try {
        server = await startApiServer({ service: workbench.service, token: generateToken(), rendererDir: renderer, host: flags.host, port });
      } catch (err) {
        await workbench.close();
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new Error(`port ${port} on ${flags.host} is in use; pick another with --port (0 for any free one)`);
        throw err;
      }
      if (!isLoopback(flags.host)) log(`WARNING: listening on ${flags.host}, not loopback: anyone who can reach it and learns the token can run jobs.`);
      if (flags.json) process.stdout.write(JSON.stringify({ event: 'serving', url: server.url, port: server.port, host: server.host, home }) + '\n');
      else process.stdout.write(`NAS Workbench (browser mode) for ${home}\nopen ${server.url}\n(Ctrl+C to stop)\n`);
      if (flags.open) openBrowser(server.url);

      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          log('stopping (running jobs are interrupted and can be resumed) …');
          void server
            .close()
            .then(() => workbench.close())
            .finally(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

/** Best effort: the system's browser, where there is a display; a headless box just prints the URL. */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  try {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No browser launcher: the printed URL is enough.
  }
}
