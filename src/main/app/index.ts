// Electron main process: one window, the API contract over IPC (validated here), jobs in worker processes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from '../../shared/api/channel-names';
import type { ApiEnvelope } from '../../shared/api/errors';
import { dispatch, openWorkbench, type Workbench } from '../api';
import { resolveHome } from '../store/home';
import { unpackedPath } from './asar-paths';
import { configureGpuSwitches, hiddenWindowPages } from './gpu-window';
import { hardenSession } from './security';
import { appUrlMatcher, createMainWindow, type WindowPaths } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const paths: WindowPaths = {
  preload: path.join(here, '../preload/index.cjs'),
  rendererHtml: path.join(here, '../renderer/index.html'),
  devServerUrl: !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined,
};
const isAppUrl = appUrlMatcher(paths);

/** `--home <dir>` or `--home=<dir>` on the command line, else $NASW_HOME, else the user-data folder. */
function homeArg(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--home' || a.startsWith('--home='));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice('--home='.length) : argv[i + 1];
}

// WebGPU for the GPU job host's hidden windows: Chromium switches must be set before the app is ready.
configureGpuSwitches();

let workbench: Workbench | null = null;
let window: BrowserWindow | null = null;

function trusted(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && window !== null && event.sender === window.webContents && isAppUrl(frame.url);
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  workbench = openWorkbench({
    home: resolveHome(homeArg(process.argv)),
    mode: 'electron',
    version: app.getVersion(),
    // Job processes run the unpacked copy (see electron-builder.yml's asarUnpack).
    workerEntry: app.isPackaged ? unpackedPath(path.join(here, 'worker.js')) : path.join(here, 'worker.js'),
    execArgv: [],
    // webgl/webgpu jobs run the engine in hidden windows of this app (src/main/app/gpu-window.ts).
    gpuPages: hiddenWindowPages(),
    onEventError: (event, message) => console.error(`nasw: dropped a "${event}" event that breaks the contract: ${message}`),
  });
  const wb = workbench;
  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, payload: unknown): Promise<ApiEnvelope> => {
    if (!trusted(event)) return { ok: false, error: { code: 'unauthorized', message: 'Calls are only accepted from the workbench window.' } };
    // dispatch validates the channel and the payload against the contract before any handler runs.
    return dispatch(wb.service.handlers, channel, payload);
  });
  wb.service.onEvent((name, payload) => {
    if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT, name, payload);
  });
  window = createMainWindow(paths);
  window.on('closed', () => (window = null));
}

if (!app.requestSingleInstanceLock()) {
  // One app per data folder: a second instance would run a second job queue over the same store.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing || !workbench) return;
    event.preventDefault();
    closing = true;
    // Running jobs are stopped and recorded as interrupted (resumable from their last checkpoint).
    void workbench.close().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      console.error('nasw: the workbench could not start:', err);
      app.exit(1);
    });
}
