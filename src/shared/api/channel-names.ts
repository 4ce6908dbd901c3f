// The contract's channel and event names as plain strings, for the preload (which must stay tiny: no zod).
export const API_CHANNEL_NAMES = [
  'system/info',
  'system/doctor',
  'runs/list',
  'runs/get',
  'jobs/submit',
  'jobs/cancel',
  'jobs/resume',
  'jobs/discretize',
  'jobs/queue',
  'runs/compare',
  'datasets/list',
  'datasets/get',
  'datasets/import',
  'datasets/imports',
  'datasets/cancelImport',
  'datasets/delete',
  'spaces/list',
  'spaces/save',
  'spaces/delete',
  'genotypes/list',
  'counts/supernet',
  'counts/network',
] as const;

export const API_EVENT_NAMES = ['job', 'queue', 'import'] as const;

/** IPC channel names the preload and the Electron main process agree on. */
export const IPC_INVOKE = 'nasw:invoke';
export const IPC_EVENT = 'nasw:event';

/** What the preload exposes as `window.nasw`: the contract's calls and events, nothing else. */
export interface NaswBridge {
  /** Resolves with the service's envelope (`{ ok, result | error }`). */
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /** Listen to one contract event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** The path of a file or folder dropped onto the window (Electron's webUtils.getPathForFile); '' if it has none. */
  pathForFile(file: unknown): string;
}
