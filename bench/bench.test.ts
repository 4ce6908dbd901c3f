// The benchmark's smoke test: one tiny iteration measured in-process, option parsing, the plan and the table (no timing assertions).
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/main/nas/testing/backends';
import { formatTable, parseArgs, plan, withBatch, type BenchOptions } from './bench';
import { BENCH_CONFIGS } from './configs';
import { matMulPeakGflops, measure, median } from './measure';

beforeAll(() => useBackend('wasm'));

describe('bench', () => {
  it('measures one tiny iteration: every figure present and finite', async () => {
    const f = await measure({ config: BENCH_CONFIGS['tiny']!, iterations: 1, warmup: 0, forwardRepeats: 1, discretizeBatches: 1, discretizeImages: 100, profile: true });
    expect(f.backend).toBe('wasm');
    expect(f.iterations).toHaveLength(1);
    for (const v of [f.secondsPerIteration, f.cpuSecondsPerIteration, f.imagesPerSecond, f.forward!.imagesPerSecond, f.discretization!.seconds, f.flops.achievedGflops]) {
      expect(Number.isFinite(v) && v > 0).toBe(true);
    }
    expect(f.discretization).toMatchObject({ images: 100, batchSize: 32, measuredImages: 32, extrapolated: true });
    expect(f.kernels!.launches).toBeGreaterThan(100);
    expect(f.kernels!.launches).toBeLessThanOrEqual(f.kernels!.profileEntries + f.kernels!.directCalls);
    expect(f.memory.peakRss).toBeGreaterThan(0);
    expect(f.memory.wasmHeapBytes).toBeGreaterThan(0);
    // 3 cells × … of the tiny net: the count helper's multiply-adds, ×2 batches ×3 (forward, input and weight gradients).
    expect(f.flops.multiplyAddsPerIteration).toBe(f.flops.forwardMultiplyAddsPerImage * 8 * 6);
    expect(f.parameters).toBeGreaterThan(0);
  });

  it('measures the dense matMul ceiling', () => {
    expect(matMulPeakGflops(64, 1)).toBeGreaterThan(0);
  });

  it('parses options and plans per-backend defaults (cpu: the tiny network only)', () => {
    expect(parseArgs(['--help'])).toBe('help');
    const o = parseArgs(['--backends', 'wasm,cpu', '--iterations', '7', '--no-save']) as BenchOptions;
    expect(o).toMatchObject({ backends: ['wasm', 'cpu'], iterations: 7, warmup: 1, outDir: null, configs: null });
    expect(plan(o)).toEqual([
      { backend: 'wasm', config: 'tiny' },
      { backend: 'cpu', config: 'tiny' },
      { backend: 'wasm', config: 'mnist' },
      { backend: 'wasm', config: 'cifar' },
    ]);
    expect(plan({ backends: ['cpu'], configs: ['mnist'] })).toEqual([{ backend: 'cpu', config: 'mnist' }]);
    expect(() => parseArgs(['--configs', 'imagenet'])).toThrow(/unknown configuration/);
    expect(() => parseArgs(['--iterations', '0'])).toThrow(/integer ≥ 1/);
    expect((parseArgs(['--quick']) as BenchOptions).iterations).toBe(1);
    const b = withBatch(BENCH_CONFIGS['cifar']!, 16);
    expect(b).toMatchObject({ name: 'cifar@b16', batch: 16, reference: undefined });
    expect(median([3, 1, 2])).toBe(2);
  });

  it('formats a table with the PyTorch comparison and failed rows', () => {
    const table = formatTable([
      { backend: 'wasm', config: 'cifar', result: { ok: false, error: 'out of memory in the 4 GB wasm heap', wallSeconds: 1 } },
    ]);
    expect(table).toMatch(/cifar\s+wasm\s+failed: out of memory/);
  });
});
