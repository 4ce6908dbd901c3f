// The process-level net under browser mode's handlers: a throw that escapes a request (in a callback nothing awaits)
// is logged and that one request dropped, and the server keeps serving; any other uncaught error ends the process
// as Node would. Requests are told apart by the async context they run in.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  /** The request in words, for the log ("POST /api/jobs/queue"). */
  what: string;
  /** Answer or drop the request the error escaped from. */
  fail(err: unknown): void;
  /**
   * Whether the request is still being answered. Work it started that outlives it (a job's callbacks) inherits its
   * context, but is no request handler: an error there ends the process as before.
   */
  active(): boolean;
}

const scopes = new AsyncLocalStorage<RequestScope>();
const logs = new Set<(line: string) => void>();

/** Runs `fn` (a request handler) so that whatever it starts, timers and promises included, belongs to `scope`. */
export function inRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

function onUncaught(err: unknown): void {
  const scope = scopes.getStore();
  if (scope?.active()) {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    for (const log of logs) log(`unexpected error while answering ${scope.what} (dropped that request, still serving): ${text}`);
    try {
      scope.fail(err);
    } catch {
      // The request is beyond answering; the server is not.
    }
    return;
  }
  // Not a request's: someone else listening (a test runner) decides; alone, do what Node does without us.
  if (process.listenerCount('uncaughtException') > 1) return;
  process.off('uncaughtException', onUncaught);
  process.nextTick(() => {
    throw err;
  });
}

/** Installs the net while at least one server is open; the returned function takes this server's share away. */
export function installSafetyNet(log: (line: string) => void): () => void {
  if (logs.size === 0) process.on('uncaughtException', onUncaught);
  const entry = (line: string) => log(line);
  logs.add(entry);
  return () => {
    if (!logs.delete(entry)) return;
    if (logs.size === 0) process.off('uncaughtException', onUncaught);
  };
}
