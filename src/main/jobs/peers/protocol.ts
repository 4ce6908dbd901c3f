// Messages between a job process and its data-parallel search peers (worker threads).
import type { SearchConfig } from '../../../shared/search-config';
import type { BackendInfo } from '../../nas/backend';
import type { SearchEvent } from '../../nas/search';

export interface PeerData {
  /** Module (file URL) the thread shim imports: peer-thread.ts from a checkout, unused in a build. */
  entry?: string;
  sab: SharedArrayBuffer;
  rank: number;
  size: number;
  capacity: number;
  home: string;
  config: SearchConfig;
  resume?: Uint8Array;
  progressEvery?: number;
}

export type FromPeer =
  | { type: 'backend'; backend: BackendInfo }
  | { type: 'event'; event: SearchEvent }
  | { type: 'finished' }
  | { type: 'failed'; error: string };
