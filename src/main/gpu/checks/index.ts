// Diagnostics shipped in the engine bundle, run by name in a session: op checks, search parity, self-test, bench.
import type * as tfNs from '@tensorflow/tfjs';
import type { BatchSource } from '../../../shared/batches';
import type { ChromiumBackend, GateReport, GpuBackend } from '../protocol';
import { isGpuBackend } from '../protocol';
import { runSelfTest } from '../self-test';

export interface CheckContext {
  /** The session's backend (active when the check starts). */
  backend: ChromiumBackend;
  log(message: string): void;
  progress(done: number, total: number): void;
  /** Initialise another backend (with its gates) and make it active. */
  activate(name: ChromiumBackend): Promise<GateReport>;
  /** Make an initialised backend active again. */
  reactivate(name: ChromiumBackend): Promise<void>;
  views: Record<string, BatchSource>;
  tf: typeof tfNs;
}

export async function runCheck(name: string, options: unknown, ctx: CheckContext): Promise<unknown> {
  switch (name) {
    case 'self-test':
      if (!isGpuBackend(ctx.backend)) throw new Error('the self-test compares a GPU backend with cpu');
      return runSelfTest(ctx.backend as GpuBackend);
    case 'ops': {
      const { runOpChecks } = await import('./op-checks');
      return runOpChecks(ctx, options as Parameters<typeof runOpChecks>[1]);
    }
    case 'search-parity': {
      const { runSearchParity } = await import('./search-parity');
      return runSearchParity(ctx, options as Parameters<typeof runSearchParity>[1]);
    }
    case 'bench': {
      const { runBench } = await import('./bench');
      return runBench(ctx, options as Parameters<typeof runBench>[1]);
    }
    case 'sync-read': {
      // What a synchronous read of a backend-computed tensor does (on webgpu: refused, see gpu-backend.ts),
      // against the asynchronous read of the same values (read first, a tensor's values stay cached on the CPU).
      const make = () => ctx.tf.tidy(() => ctx.tf.add(ctx.tf.mul(ctx.tf.range(0, 4096, 1, 'float32'), 0.25), 1));
      const [t, u] = [make(), make()];
      try {
        let got: number[] | null = null;
        let error: string | null = null;
        try {
          got = Array.from(u.dataSync()).slice(0, 4);
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        return { expected: Array.from(await t.data()).slice(0, 4), got, error };
      } finally {
        ctx.tf.dispose([t, u]);
      }
    }
    case 'suite': {
      // One page, so shaders compiled for the op cases are warm for the search (a software GPU compiles slowly).
      const o = (options ?? {}) as { ops?: unknown; parity?: unknown };
      const { runOpChecks } = await import('./op-checks');
      const { runSearchParity } = await import('./search-parity');
      const ops = await runOpChecks(ctx, o.ops as Parameters<typeof runOpChecks>[1]);
      const parity = await runSearchParity(ctx, o.parity as Parameters<typeof runSearchParity>[1]);
      return { ops, parity };
    }
    default:
      throw new Error(`unknown check '${name}' (known: self-test, ops, search-parity, suite, bench, sync-read)`);
  }
}
