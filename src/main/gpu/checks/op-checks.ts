// The custom ops' cases (nas/testing/op-cases) on the session's backend in Chromium: per-op worst errors vs float64.
import { expectedFor, opCases, runOpCase, type OpCaseResult } from '../../nas/testing/op-cases';
import type { ChromiumBackend } from '../protocol';
import type { CheckContext } from './index';

export interface OpCheckOptions {
  /** Backends to run the cases on (default: the session's). cpu here is tfjs' JavaScript backend in Chromium. */
  backends?: ChromiumBackend[];
  /** Only cases whose op or name contains this. */
  filter?: string;
  /** A case fails above this max relative error (default 1e-4, as the op tests). */
  tolerance?: number;
}

export interface OpCheckReport {
  tolerance: number;
  cases: number;
  /** backend → op → worst error over its cases, forward and gradients. */
  worstByOp: Record<string, Record<string, { cases: number; forward: number; gradient: number }>>;
  failures: (OpCaseResult & { backend: string })[];
}

export async function runOpChecks(ctx: CheckContext, o: OpCheckOptions = {}): Promise<OpCheckReport> {
  const tolerance = o.tolerance ?? 1e-4;
  const cases = opCases().filter((c) => !o.filter || c.op.includes(o.filter) || c.name.includes(o.filter));
  const expected = cases.map((c) => expectedFor(c));
  const backends = o.backends ?? [ctx.backend];
  const report: OpCheckReport = { tolerance, cases: cases.length, worstByOp: {}, failures: [] };
  let done = 0;
  for (const backend of backends) {
    if (backend === ctx.backend) await ctx.reactivate(backend);
    else await ctx.activate(backend);
    const byOp: OpCheckReport['worstByOp'][string] = (report.worstByOp[backend] = {});
    for (let i = 0; i < cases.length; i++) {
      const r = await runOpCase(ctx.tf, cases[i]!, expected[i]!);
      const agg = (byOp[r.op] ??= { cases: 0, forward: 0, gradient: 0 });
      agg.cases++;
      agg.forward = Math.max(agg.forward, r.forward);
      agg.gradient = Math.max(agg.gradient, ...r.grads);
      if (!(r.worst <= tolerance)) report.failures.push({ ...r, backend });
      ctx.progress(++done, cases.length * backends.length);
    }
    ctx.log(`${backend}: ${cases.length} op cases, ${report.failures.filter((f) => f.backend === backend).length} over ${tolerance}`);
  }
  await ctx.reactivate(ctx.backend);
  return report;
}
