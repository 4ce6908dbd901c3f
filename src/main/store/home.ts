// The data folder shared by the app and the CLI: database, dataset caches and run folders live here.
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'NAS Workbench';
export const HOME_ENV = 'NASW_HOME';

/**
 * Electron's userData folder for this app name, computed the same way without Electron, so the CLI
 * and the app open the same store. `--home` (explicit) wins over $NASW_HOME, which wins over the default.
 */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), APP_NAME);
}

export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env[HOME_ENV]) return path.resolve(env[HOME_ENV]!);
  return defaultHome(env);
}

/** Fixed sub-folders of a home. */
export function homePaths(home: string) {
  return {
    home,
    database: path.join(home, 'workbench.sqlite'),
    datasets: path.join(home, 'datasets'),
    runs: path.join(home, 'runs'),
    staging: path.join(home, 'staging'),
  };
}
