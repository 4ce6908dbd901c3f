// Worker-thread shim for a checkout: Node does not pass tsx's loader on to threads, so register it here.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
