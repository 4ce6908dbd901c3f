// The renderer's one API client: IPC when the preload exposed `window.nasw`, else HTTP + WebSocket to the server.
import { createApiClient, type ApiClient, type ApiClientOptions } from '../../../shared/api/client';
import { createHttpTransport, takeToken } from './http-transport';
import { createIpcTransport } from './ipc-transport';
import type { RendererTransport } from './transport';

let current: { client: ApiClient; transport: RendererTransport } | null = null;

/** Pick the transport by what exists; the rest of the renderer only sees the client. */
export function selectTransport(win: Window): RendererTransport {
  if (win.nasw) return createIpcTransport(win.nasw);
  const token = takeToken(win.location, win.sessionStorage, win.history) ?? '';
  return createHttpTransport({ origin: win.location.origin, token });
}

export function installApi(transport: RendererTransport, options: ApiClientOptions = {}): ApiClient {
  const client = createApiClient(transport, {
    onInvalidEvent: (event, error) => console.warn(`Dropped a "${event}" event that breaks the contract:`, error.issues),
    ...options,
  });
  current = { client, transport };
  return client;
}

export function useApi(): ApiClient {
  if (!current) throw new Error('The API client is not installed (installApi first).');
  return current.client;
}

export function useTransport(): RendererTransport {
  if (!current) throw new Error('The API client is not installed (installApi first).');
  return current.transport;
}
