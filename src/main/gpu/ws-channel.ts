// The engine session's Channel over the host's WebSocket (binary frames of wire.ts), for the worker or the page.
import type { Channel } from './engine-session';
import type { EngineToHost, HostToEngine } from './protocol';
import { decodeFrame, encodeFrame } from './wire';

/** Connect to the host; resolves once open. `onClose` runs when the host goes away. */
export function connectChannel(url: string, onClose: () => void): Promise<Channel> {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  let listener: ((m: HostToEngine) => void) | null = null;
  const queued: HostToEngine[] = [];
  const channel: Channel = {
    send: (m: EngineToHost) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(encodeFrame(m));
    },
    onMessage: (cb) => {
      listener = cb;
      for (const m of queued.splice(0)) cb(m);
    },
    buffered: () => socket.bufferedAmount,
  };
  socket.onmessage = (ev: MessageEvent<ArrayBuffer>) => {
    const m = decodeFrame<HostToEngine>(ev.data);
    if (listener) listener(m);
    else queued.push(m);
  };
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(channel);
    socket.onerror = () => reject(new Error(`could not connect to the job host at ${url}`));
    socket.onclose = onClose;
  });
}
