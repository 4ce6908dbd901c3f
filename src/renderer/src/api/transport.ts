// The renderer's transport: the contract's transport plus a connection state (WebSocket can drop; IPC cannot).
import type { ApiTransport } from '../../../shared/api/client';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface RendererTransport extends ApiTransport {
  /** Connection changes; told the current state at once. After `open` following `closed`, events may have been missed. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}
