// Transport for browser mode: calls as POST /api/<channel> with the token, events over one WebSocket that reconnects,
// dropped files uploaded to the server's staging area (XHR, for upload progress) before they are imported.
import type { ImportSourceDto } from '../../../shared/api/dto';
import { ApiError, apiEnvelopeSchema, type ApiEnvelope } from '../../../shared/api/errors';
import type { ConnectionState, Dropped, RendererTransport, StageProgress } from './transport';

export interface HttpTransportOptions {
  /** http(s)://host:port of the server (default: the page's origin). */
  origin: string;
  token: string;
  fetch?: typeof globalThis.fetch;
  WebSocket?: typeof globalThis.WebSocket;
  /** Reconnect delays in ms (default 500 ms doubling to 10 s). */
  retryMs?: { first: number; max: number };
  XMLHttpRequest?: typeof globalThis.XMLHttpRequest;
  /** Files sent at once while uploading (default 3). */
  uploadParallel?: number;
}

/** `set/cat 1/a.png` → `set/cat%201/a.png`: each segment encoded, the slashes kept. */
export function uploadUrlPath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

/** The result of an envelope, or its error as an ApiError. */
function unwrap(raw: unknown, what: string): unknown {
  const env = apiEnvelopeSchema.safeParse(raw);
  if (!env.success) throw new ApiError({ code: 'internal', message: `${what}: the server's answer is not an API envelope.` });
  if (!env.data.ok) throw new ApiError(env.data.error);
  return env.data.result;
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

  const XHR = opts.XMLHttpRequest ?? globalThis.XMLHttpRequest;
  const auth = { authorization: `Bearer ${opts.token}` };

  /** One request to the upload routes; `onProgress` gets the bytes of `body` sent so far. */
  const uploadRequest = (method: string, path: string, body: Blob | null, onProgress?: (loaded: number) => void, signal?: AbortSignal): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const xhr = new XHR();
      xhr.open(method, new URL(path, opts.origin).toString());
      xhr.setRequestHeader('authorization', auth.authorization);
      if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => {
        let raw: unknown;
        try {
          raw = JSON.parse(xhr.responseText);
        } catch {
          reject(new ApiError({ code: xhr.status === 401 ? 'unauthorized' : 'internal', message: `HTTP ${xhr.status} ${xhr.statusText}` }));
          return;
        }
        try {
          resolve(unwrap(raw, path));
        } catch (err) {
          reject(err);
        }
      };
      xhr.onerror = () => reject(new ApiError({ code: 'unavailable', message: `The upload to the workbench server broke off (${method} ${decodeURIComponent(path)}).` }));
      xhr.onabort = () => reject(new ApiError({ code: 'invalid', message: 'Upload cancelled.' }));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(body);
    });

  async function stage(dropped: Dropped, onProgress?: (p: StageProgress) => void, signal?: AbortSignal): Promise<ImportSourceDto> {
    if (dropped.files.length === 0) throw new ApiError({ code: 'invalid', message: 'Nothing to upload: the drop held no files.' });
    const total = dropped.files.reduce((n, f) => n + f.file.size, 0);
    const { uploadId, maxBytes } = (await uploadRequest('POST', '/api/uploads', null)) as { uploadId: string; maxBytes: number };
    const drop = () => uploadRequest('DELETE', `/api/uploads/${uploadId}`, null).catch(() => {});
    if (total > maxBytes) {
      await drop();
      throw new ApiError({ code: 'invalid', message: `The files hold ${total} bytes; this server accepts uploads up to ${maxBytes} bytes.` });
    }
    const loaded = new Map<string, number>();
    const report = (file: string) => onProgress?.({ bytes: [...loaded.values()].reduce((a, b) => a + b, 0), total, file });
    const queue = [...dropped.files];
    // One failure stops the other files too, before the upload is dropped.
    const stop = new AbortController();
    signal?.addEventListener('abort', () => stop.abort(), { once: true });
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const f = next;
        await uploadRequest('PUT', `/api/uploads/${uploadId}/${uploadUrlPath(f.path)}`, f.file, (n) => {
          loaded.set(f.path, n);
          report(f.path);
        }, stop.signal);
        loaded.set(f.path, f.file.size);
        report(f.path);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(opts.uploadParallel ?? 3, dropped.files.length) }, worker));
    } catch (err) {
      queue.length = 0;
      stop.abort();
      await drop();
      throw err;
    }
    return { kind: 'upload', uploadId };
  }

  return {
    kind: 'http',
    stage,
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

