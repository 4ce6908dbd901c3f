// Test helper: the real client proxy over a scripted transport, installed as the renderer's API.
import { installApi } from '../api/api';
import type { ConnectionState, RendererTransport } from '../api/transport';

export type Handler = (payload: unknown) => unknown;

export function installFakeApi(handlers: Record<string, Handler>, opts: { stage?: RendererTransport['stage'] } = {}) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: { channel: string; payload: unknown }[] = [];
  const transport: RendererTransport = {
    kind: 'http',
    async invoke(channel, payload) {
      calls.push({ channel, payload });
      const h = handlers[channel];
      if (!h) return { ok: false, error: { code: 'invalid', message: `no fake for ${channel}` } };
      try {
        return { ok: true, result: await h(payload) };
      } catch (err) {
        return { ok: false, error: err as object };
      }
    },
    on(event, l) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(l);
      return () => listeners.get(event)!.delete(l);
    },
    onConnection(l: (s: ConnectionState) => void) {
      l('open');
      return () => {};
    },
    stage: opts.stage ?? (async () => ({ kind: 'upload', uploadId: 'fake-upload-0001' })),
  };
  const dropped: string[] = [];
  const client = installApi(transport, { onInvalidEvent: (event) => dropped.push(event) });
  return { client, transport, calls, dropped, emit: (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload)) };
}
