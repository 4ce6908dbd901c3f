// The engine in headless Chromium's software GPU (SwiftShader): every custom op and a tiny search with both
// discretizations match cpu on webgl and on webgpu (whose synchronous readback does not work here: the engine
// reads asynchronously, and a synchronous read is an error); the gates refuse half floats and never call a
// software device a GPU.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpCheckReport } from '../../src/main/gpu/checks/op-checks';
import type { SearchParityReport } from '../../src/main/gpu/checks/search-parity';
import { SELF_TEST_TOLERANCE } from '../../src/main/gpu/protocol';
import { ensureGpuBundle } from '../../src/main/jobs/chromium-host/bundle';
import { GpuBackendRefused, GpuEngine } from '../../src/main/jobs/chromium-host/gpu-engine';
import { findChromium } from '../../src/main/jobs/chromium-host/launchers';
import { syntheticSearchData } from '../../src/main/nas/testing/synthetic-data';
import { searchConfig } from '../../src/shared/search-config';

const CHROMIUM = findChromium();
const MINUTES = 60_000;
/** Per-op and search figures, printed at the end (the closing note quotes them). */
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  if (!CHROMIUM || !fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM ?? '/usr/bin/chromium'}: apt-get install -y chromium (see TOOLCHAIN.md)`);
  await ensureGpuBundle();
}, 5 * MINUTES);

afterAll(() => {
  process.stdout.write(`\nGPU host figures: ${JSON.stringify(figures, null, 1)}\n`);
});

/** An engine whose failures are reported, and which always closes its Chromium. */
async function withEngine<T>(o: Parameters<typeof GpuEngine.open>[0], fn: (e: GpuEngine) => Promise<T>): Promise<T> {
  const engine = await GpuEngine.open(o);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

async function refusal(o: Parameters<typeof GpuEngine.open>[0], run: (e: GpuEngine) => Promise<unknown>): Promise<GpuBackendRefused> {
  return withEngine(o, async (e) => {
    try {
      await run(e);
    } catch (err) {
      if (err instanceof GpuBackendRefused) return err;
      throw err;
    }
    throw new Error('the backend was not refused');
  });
}

function expectOpsClean(report: OpCheckReport, backend: string): void {
  expect(report.cases).toBeGreaterThan(70);
  const byOp = report.worstByOp[backend]!;
  expect(Object.keys(byOp).sort()).toEqual(['avgPool', 'batchNorm', 'conv2d', 'depthwiseConv', 'maxPool', 'nodeSum', 'pointwiseConv', 'subsample2', 'zeroInsert']);
  expect(report.failures.map((f) => `${f.op} ${f.name}: ${f.worst}`)).toEqual([]);
  for (const [op, e] of Object.entries(byOp)) {
    expect(e.forward, op).toBeLessThan(1e-4);
    expect(e.gradient, op).toBeLessThan(1e-4);
  }
}

/** A tiny search (2 epochs) and both discretizations on the GPU backend against the same on cpu. */
function expectSearchParity(p: SearchParityReport): void {
  expect(p.perEpoch).toHaveLength(2);
  for (const e of p.perEpoch) {
    expect(e.trainLoss, `epoch ${e.epoch} train loss`).toBeLessThan(1e-4);
    expect(e.valLoss, `epoch ${e.epoch} val loss`).toBeLessThan(1e-4);
    expect(e.alphaSoftmax, `epoch ${e.epoch} softmax(α)`).toBeLessThan(1e-5);
  }
  expect(p.finalTensors.maxRelative).toBeLessThan(1e-4);
  expect(p.finalAlphaAbs).toBeLessThan(3e-4); // below one Adam step (lr 3e-4)
  expect(p.discretization).toMatchObject({ valueSame: true, decorrelationSame: true, crossDecorrelationSame: true });
  expect(p.discretization.crossScoreMaxAbs).toBeLessThan(1e-2);
}

describe('webgl in headless Chromium (SwiftShader)', () => {
  it(
    'passes the gates as a software device (never a GPU); every op case and a tiny search with both discretizations match cpu',
    async () => {
      // The webgl self-test runs in the CLI test (first use in a fresh home): not twice.
      await withEngine({ backend: 'webgl', selfTest: 'never' }, async (engine) => {
        const r = (await engine.check('suite', { parity: { config: { epochs: 2, stepsPerEpoch: 1 } } })) as { ops: OpCheckReport; parity: SearchParityReport };
        const g = engine.gates!;
        expect(g.kind).toBe('software');
        expect(g.softwareReason).toMatch(/SwiftShader/);
        expect(engine.info).toMatchObject({ backend: 'webgl', kind: 'software' });
        expect(engine.info!.notes.join('\n')).toMatch(/software rendering, not a GPU/);
        expect(g.webgl).toMatchObject({ version: 2, float32RenderTargets: true, float32Enabled: true, forcedHalfFloat: false });

        expectOpsClean(r.ops, 'webgl');
        figures.webglOps = r.ops.worstByOp.webgl;

        const p = r.parity;
        expectSearchParity(p);
        figures.webglSearch = { perEpoch: p.perEpoch, finalTensors: p.finalTensors, finalAlphaAbs: p.finalAlphaAbs, discretization: p.discretization, seconds: p.seconds };
      });
    },
    8 * MINUTES,
  );

  it(
    'refuses a half-float context with a clear message: no float32 render targets, or half floats forced',
    async () => {
      const noFloat = await refusal({ backend: 'webgl', selfTest: 'never', simulate: { noFloat32RenderTargets: true } }, (e) => e.probe());
      expect(noFloat.message).toMatch(/cannot render to float32 textures/);
      expect(noFloat.message).toMatch(/half floats/);
      expect(noFloat.gates.webgl).toMatchObject({ float32RenderTargets: false });
      expect(noFloat.gates.kind).not.toBe('gpu');

      const forced = await refusal({ backend: 'webgl', selfTest: 'never', tfFlags: { WEBGL_FORCE_F16_TEXTURES: true } }, (e) => e.probe());
      expect(forced.message).toMatch(/half floats were forced/);
      expect(forced.gates.webgl).toMatchObject({ forcedHalfFloat: true });

      // A search on such a context never starts: the refusal is the first thing the job hears.
      const search = await refusal({ backend: 'webgl', selfTest: 'always', simulate: { noFloat32RenderTargets: true } }, async (e) => {
        for await (const ev of e.search({ config: searchConfig({ space: { ops: ['none', 'skip_connect'], cells: 1, channels: 4, nodes: 1 }, epochs: 1, batchSize: 4, stepsPerEpoch: 1 }), data: syntheticSearchData() })) {
          throw new Error(`the search ran: ${ev.type}`);
        }
      });
      expect(search.message).toMatch(/float32/);
      expect(search.gates.selfTest).toBeUndefined(); // refused before the self-test
    },
    3 * MINUTES,
  );
});

describe('webgpu in headless Chromium (fallback adapter)', () => {
  it(
    'passes the self-test (with the AddN fix) as a software device; every op case and a tiny search with both discretizations match cpu',
    async () => {
      await withEngine({ backend: 'webgpu', selfTest: 'always' }, async (engine) => {
        const r = (await engine.check('suite', { parity: { config: { epochs: 2, stepsPerEpoch: 1 } } })) as { ops: OpCheckReport; parity: SearchParityReport };
        const g = engine.gates!;
        expect(g.kind).toBe('software');
        expect(g.webgpu).toMatchObject({ fallbackAdapter: true });
        expect(engine.info!.kind).toBe('software');
        expect(g.selfTest!.passed).toBe(true);
        expect(g.selfTest!.maxRelative).toBeLessThan(SELF_TEST_TOLERANCE);
        figures.webgpuSelfTest = g.selfTest!.maxRelative;
        expectOpsClean(r.ops, 'webgpu');
        figures.webgpuOps = r.ops.worstByOp.webgpu;
        // The search reads everything back asynchronously: on this adapter dataSync would return zeros.
        expectSearchParity(r.parity);
        figures.webgpuSearch = { perEpoch: r.parity.perEpoch, finalTensors: r.parity.finalTensors, finalAlphaAbs: r.parity.finalAlphaAbs, discretization: r.parity.discretization, seconds: r.parity.seconds };

        // A synchronous read of a GPU tensor is an error, never silent zeros.
        const sync = (await engine.check('sync-read')) as { expected: number[]; got: number[] | null; error: string | null };
        expect(sync.expected).toEqual([1, 1.25, 1.5, 1.75]);
        expect(sync.got).toBeNull();
        expect(sync.error).toMatch(/synchronous read .* WebGPU tensor/);
      });
    },
    12 * MINUTES,
  );

  it(
    "needs the AddN fix: tfjs-webgpu's own AddN sums 8 or more terms wrongly (a DARTS node sums up to 40)",
    async () => {
      await withEngine({ backend: 'webgpu', selfTest: 'never', simulate: { unpatchedKernels: true } }, async (engine) => {
        const ops = (await engine.check('ops', { filter: 'nodeSum' })) as OpCheckReport;
        const failing = ops.failures.map((f) => f.name);
        expect(failing).toContain('Σ w·o over 8 terms (tf.addN)');
        expect(failing).toContain('Σ w·o over 40 terms (tf.addN)');
        expect(failing).not.toContain('Σ w·o over 7 terms (tf.addN)');
      });
    },
    3 * MINUTES,
  );
});
