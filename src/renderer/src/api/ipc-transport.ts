// Transport over Electron IPC: the preload's `window.nasw` bridge.
import type { NaswBridge } from '../../../shared/api/channel-names';
import type { RendererTransport } from './transport';

export function createIpcTransport(bridge: NaswBridge): RendererTransport {
  return {
    kind: 'ipc',
    invoke: (channel, payload) => bridge.invoke(channel, payload),
    on: (event, listener) => bridge.on(event, listener),
    // IPC cannot drop: always connected while the window lives.
    onConnection: (listener) => {
      listener('open');
      return () => {};
    },
  };
}
