// The one application window: sandboxed renderer, context isolation, the preload as the only bridge.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';
import { lockNavigation } from './security';

export interface WindowPaths {
  preload: string;
  rendererHtml: string;
  /** electron-vite dev server, when running `npm run dev`. */
  devServerUrl?: string;
}

export function appUrlMatcher(paths: WindowPaths): (url: string) => boolean {
  const fileUrl = pathToFileURL(paths.rendererHtml).toString();
  return (url: string) => {
    const bare = url.split('#')[0]!.split('?')[0]!;
    if (paths.devServerUrl && url.startsWith(paths.devServerUrl)) return true;
    return bare === fileUrl;
  };
}

export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'NAS Workbench',
    backgroundColor: '#f5f6f8',
    autoHideMenuBar: true,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Live curves keep updating while the window is in the background.
      backgroundThrottling: false,
    },
  });
  lockNavigation(win.webContents, appUrlMatcher(paths));
  win.once('ready-to-show', () => win.show());
  if (paths.devServerUrl) void win.loadURL(paths.devServerUrl);
  else void win.loadFile(path.resolve(paths.rendererHtml));
  return win;
}
