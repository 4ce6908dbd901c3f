// The op cases shared with the Chromium checks: on tfjs' cpu backend in Node, every case meets the op tests' tolerance.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backends';
import { expectedFor, opCases, runOpCase } from './op-cases';

describe('op cases (the GPU host runs them on webgl and webgpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  const cases = opCases();

  it('cover every custom op, the dilated and the stride-2 geometries', () => {
    expect(new Set(cases.map((c) => c.op))).toEqual(new Set(['depthwiseConv', 'conv2d', 'pointwiseConv', 'maxPool', 'avgPool', 'batchNorm', 'subsample2', 'zeroInsert', 'nodeSum']));
    expect(cases.some((c) => /dilation 2/.test(c.name) && /stride 2/.test(c.name))).toBe(true);
    expect(cases.some((c) => /ties/.test(c.name))).toBe(true);
  });

  it('match their float64 references on cpu within 1e-4', async () => {
    const worst: Record<string, number> = {};
    for (const c of cases) {
      const r = await runOpCase(tf, c, expectedFor(c));
      worst[`${c.op}: ${c.name}`] = r.worst;
    }
    expect(Object.entries(worst).filter(([, e]) => !(e < 1e-4))).toEqual([]);
  });

  it('would catch a wrong op: a transposed filter fails its case', async () => {
    const c = cases.find((x) => x.op === 'conv2d' && /stem 3×3 stride 2/.test(x.name))!;
    const broken = { ...c, run: (t: typeof tf, [x, f]: tf.Tensor[]) => c.run(t, [x!, t.reverse(f!, [0])]) };
    const r = await runOpCase(tf, broken, expectedFor(c));
    expect(r.worst).toBeGreaterThan(1e-2);
  });
});
