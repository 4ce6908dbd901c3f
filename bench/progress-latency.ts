// Latency from a job process's progress message to the parent's listener, over the same fork IPC the runner uses.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const N = Number(process.argv[2] ?? 2000);
const now = () => performance.timeOrigin + performance.now();

if (process.argv[2] === '--child') {
  // Child: send progress messages shaped like the worker's, each stamped when sent, at ~1 kHz.
  const total = Number(process.argv[3]);
  let i = 0;
  const tick = () => {
    process.send!({ type: 'progress', progress: { epoch: 0, step: i, stepsPerEpoch: total, epochs: 1, loss: 1, elapsed: 0, eta: 0 }, sentAt: now() });
    if (++i < total) setTimeout(tick, 1);
    else process.disconnect();
  };
  tick();
} else {
  const child = fork(fileURLToPath(import.meta.url), ['--child', String(N)], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
  const lat: number[] = [];
  child.on('message', (m: { sentAt: number }) => lat.push(now() - m.sentAt));
  child.on('exit', () => {
    lat.sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(3);
    console.log(JSON.stringify({ messages: lat.length, medianMs: Number(q(0.5)), p90Ms: Number(q(0.9)), p99Ms: Number(q(0.99)), maxMs: Number(lat.at(-1)!.toFixed(3)) }));
  });
}
