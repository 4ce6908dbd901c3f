// Dedicated Worker entry of the Chromium job host: connects to the Node host's WebSocket and runs one engine session.
import { runSession } from './engine-session';
import { connectChannel } from './ws-channel';

interface Boot {
  ws: string;
  wasmPath: string;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<Boot>) => void) | null; postMessage(m: unknown): void; close(): void };

scope.onmessage = (e) => {
  scope.onmessage = null;
  const { ws, wasmPath } = e.data;
  // The host going away (job over, cancelled, or the Node process died) leaves nothing to compute for.
  connectChannel(ws, () => {
    scope.postMessage({ status: 'host disconnected' });
    scope.close();
  })
    .then((channel) => {
      scope.postMessage({ status: 'connected to the job host' });
      return runSession(channel, { wasmPath });
    })
    .catch((err: unknown) => console.error('engine session failed', err))
    .finally(() => scope.postMessage({ status: 'session over' }));
};
