// The renderer's transport: the contract's transport plus a connection state (WebSocket can drop; IPC cannot) and
// how dropped files reach the service (a path on the desktop, an upload in browser mode).
import type { ApiTransport } from '../../../shared/api/client';
import type { ImportSourceDto } from '../../../shared/api/dto';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** A dropped or chosen file with its path relative to what was dropped ("mnist/train-images-idx3-ubyte.gz"). */
export interface DroppedFile {
  file: File;
  path: string;
}

/** What the user dropped: the top-level items as given (files or folders) and every file under them. */
export interface Dropped {
  roots: File[];
  files: DroppedFile[];
}

export interface StageProgress {
  bytes: number;
  total: number;
  /** The file being sent. */
  file: string;
}

export interface RendererTransport extends ApiTransport {
  /** Connection changes; told the current state at once. After `open` following `closed`, events may have been missed. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Make dropped files readable by the service: their path (desktop) or an upload to the server (browser mode). */
  stage(dropped: Dropped, onProgress?: (p: StageProgress) => void, signal?: AbortSignal): Promise<ImportSourceDto>;
}
