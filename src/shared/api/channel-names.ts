// The contract's channel and event names as plain strings, for the preload (which must stay tiny: no zod).
export const API_CHANNEL_NAMES = [
  'system/info',
  'runs/list',
  'runs/get',
  'jobs/submit',
  'jobs/cancel',
  'jobs/resume',
  'jobs/discretize',
  'jobs/queue',
  'datasets/list',
  'spaces/list',
] as const;

export const API_EVENT_NAMES = ['job', 'queue'] as const;

/** IPC channel names the preload and the Electron main process agree on. */
export const IPC_INVOKE = 'nasw:invoke';
export const IPC_EVENT = 'nasw:event';

/** What the preload exposes as `window.nasw`: the contract's calls and events, nothing else. */
export interface NaswBridge {
  /** Resolves with the service's envelope (`{ ok, result | error }`). */
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /** Listen to one contract event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}
