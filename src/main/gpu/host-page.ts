// The Chromium job host's page: starts the engine in a Dedicated Worker and hands it the host's WebSocket address.
//
// tfjs-webgl polls with setTimeout, which a hidden or background page throttles; a Dedicated Worker
// (WebGL through OffscreenCanvas) is not throttled. `#where=page` runs the engine on the page itself.

const params = new URLSearchParams(location.hash.slice(1));
const status = document.getElementById('status')!;
const ws = params.get('ws');
const wasmPath = new URL('./wasm/', location.href).href;

function show(text: string): void {
  status.textContent = text;
  document.title = `NAS Workbench GPU job host: ${text}`;
}

if (!ws) {
  show('no host address in the URL (#ws=…)');
} else if (params.get('where') === 'page') {
  void (async () => {
    const [{ runSession }, { connectChannel }] = await Promise.all([import('./engine-session'), import('./ws-channel')]);
    const channel = await connectChannel(ws, () => show('host disconnected'));
    show('engine running on the page');
    await runSession(channel, { wasmPath });
    show('session over');
  })().catch((e: unknown) => {
    console.error('engine session failed', e);
    show(`engine failed: ${String(e)}`);
  });
} else {
  const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'nasw-engine' });
  worker.onerror = (e) => {
    // Logged to the console, which the Node host forwards to the job's log. An uncaught error leaves the
    // engine in an unknown state (it may wait forever): end it, which closes its socket, so the host
    // sees the session end instead of waiting.
    console.error(`engine worker error: ${e.message} (${e.filename}:${e.lineno})`);
    show(`engine worker error: ${e.message}`);
    worker.terminate();
  };
  worker.onmessage = (e: MessageEvent<{ status?: string }>) => {
    if (e.data?.status) show(e.data.status);
  };
  worker.postMessage({ ws, wasmPath });
  show('engine running in a worker');
}
