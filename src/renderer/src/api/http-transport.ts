// Transport for browser mode: calls as POST /api/<channel> with the token, events over one WebSocket that reconnects.
import type { ApiEnvelope } from '../../../shared/api/errors';
import type { ConnectionState, RendererTransport } from './transport';

export interface HttpTransportOptions {
  /** http(s)://host:port of the server (default: the page's origin). */
  origin: string;
  token: string;
  fetch?: typeof globalThis.fetch;
  WebSocket?: typeof globalThis.WebSocket;
  /** Reconnect delays in ms (default 500 ms doubling to 10 s). */
  retryMs?: { first: number; max: number };
}

export function createHttpTransport(opts: HttpTransportOptions): RendererTransport {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const WS = opts.WebSocket ?? globalThis.WebSocket;
  const retry = opts.retryMs ?? { first: 500, max: 10_000 };
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'closed';
  let socket: WebSocket | null = null;
  let delay = retry.first;

  const setState = (s: ConnectionState) => {
    state = s;
    for (const l of connectionListeners) l(s);
  };

  const connect = () => {
    if (socket) return;
    const url = new URL('/api/events', opts.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', opts.token);
    setState('connecting');
    const ws = new WS(url.toString());
    socket = ws;
    ws.onopen = () => {
      delay = retry.first;
      setState('open');
    };
    ws.onmessage = (m) => {
      let msg: { event?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(String(m.data));
      } catch {
        return;
      }
      if (typeof msg.event !== 'string') return;
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
    };
    ws.onclose = () => {
      socket = null;
      setState('closed');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, retry.max);
    };
  };

  return {
    kind: 'http',
    async invoke(channel, payload) {
      let res: Response;
      try {
        res = await doFetch(new URL(`/api/${channel}`, opts.origin), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
          body: JSON.stringify(payload ?? {}),
        });
      } catch (err) {
        return { ok: false, error: { code: 'unavailable', message: `The workbench server cannot be reached (${(err as Error).message}).` } } satisfies ApiEnvelope;
      }
      try {
        return await res.json();
      } catch {
        return { ok: false, error: { code: res.status === 401 ? 'unauthorized' : 'internal', message: `HTTP ${res.status} ${res.statusText}` } } satisfies ApiEnvelope;
      }
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      connect();
      return () => set.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  };
}

/** The token from `?token=` (kept for this tab in sessionStorage, then removed from the address bar). */
export function takeToken(location: Location, storage: Storage, history: History): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem('nasw.token', fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem('nasw.token');
}

