// One turn of Node's event loop, so signal and IPC handlers run between the steps of an in-process run.

/**
 * The engine's steps chain promises that settle as microtasks (cpu, wasm and tensorflow reads), so a
 * run in this thread would otherwise never let a SIGINT, an IPC `stop` or an IPC disconnect reach
 * its stop flag. `setImmediate` runs after pending I/O callbacks: awaiting it at a step boundary lets
 * them in, for about a microsecond per step.
 */
export function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
