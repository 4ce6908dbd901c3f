// The desktop app's GPU job host: hidden windows whose Dedicated Worker runs the engine on webgl/webgpu.
import { app, BrowserWindow, session } from 'electron';
import type { GpuPageOpener } from '../jobs/chromium-host/launchers';

/** Its own session: the GPU host page is served by the job process on 127.0.0.1, not the app's files. */
const PARTITION = 'nasw-gpu-host';

/**
 * Chromium switches for WebGPU on Linux (TOOLCHAIN.md; electron/electron#41763, #40929): set before the
 * app is ready. WebGL needs none. Under Wayland WebGPU also wants X11 ozone: opt in with NASW_OZONE_X11=1
 * (it moves every window of the app to XWayland).
 */
export function configureGpuSwitches(): void {
  app.commandLine.appendSwitch('enable-unsafe-webgpu');
  if (process.platform === 'linux') {
    app.commandLine.appendSwitch('enable-features', 'Vulkan');
    if (process.env.NASW_OZONE_X11 === '1') app.commandLine.appendSwitch('ozone-platform', 'x11');
  }
}

/** Hidden windows for the job runner (JobRunnerOptions.gpuPages): never shown, never throttled, locked to their page. */
export function hiddenWindowPages(): GpuPageOpener {
  let hardened = false;
  return {
    async open(url, onGone) {
      const origin = new URL(url).origin;
      if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) throw new Error(`refusing to open a GPU host page outside 127.0.0.1: ${origin}`);
      const ses = session.fromPartition(PARTITION);
      if (!hardened) {
        hardened = true;
        ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
        ses.setPermissionCheckHandler(() => false);
      }
      const win = new BrowserWindow({
        show: false,
        width: 320,
        height: 200,
        webPreferences: {
          partition: PARTITION,
          contextIsolation: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          sandbox: true,
          webSecurity: true,
          // tfjs-webgl polls with setTimeout: a hidden window must not be throttled.
          backgroundThrottling: false,
          spellcheck: false,
        },
      });
      const contents = win.webContents;
      const stay = (event: { preventDefault(): void }, target: string) => {
        if (new URL(target).origin !== origin) event.preventDefault();
      };
      contents.on('will-navigate', stay);
      contents.on('will-redirect', stay);
      contents.setWindowOpenHandler(() => ({ action: 'deny' }));
      contents.on('render-process-gone', (_e, details) => onGone(`the GPU host window's renderer is gone (${details.reason})`));
      contents.on('console-message', (details) => {
        const d = details as unknown as { level?: string; message?: string };
        if (d.level === 'error' || d.level === 'warning') console.error(`[gpu host] ${d.message ?? ''}`);
      });
      win.on('closed', () => onGone('the GPU host window closed'));
      await win.loadURL(url);
      return {
        close: () => {
          if (!win.isDestroyed()) win.destroy();
        },
      };
    },
  };
}
