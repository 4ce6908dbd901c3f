// Software rasterisers and fallback adapters are never called a GPU; named hardware is.
import { describe, expect, it } from 'vitest';
import { classifyDevice, deviceLabel } from './device-kind';

describe('classifyDevice', () => {
  it.each([
    ['ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'Google Inc. (Google)'],
    ['Google SwiftShader', 'Google Inc.'],
    ['ANGLE (Mesa, llvmpipe (LLVM 15.0.6, 256 bits), OpenGL 4.5)', 'Mesa'],
    ['llvmpipe (LLVM 12.0.0, 256 bits)', 'Mesa/X.org'],
    ['ANGLE (Mesa, lavapipe (LLVM 15.0.6), Vulkan 1.3)', ''],
    ['ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)', 'Google Inc. (Microsoft)'],
    ['Software Adapter', ''],
  ])('%s → software', (renderer, vendor) => {
    const c = classifyDevice([renderer, vendor]);
    expect(c.kind).toBe('software');
    expect(c.reason).toBeTruthy();
  });

  it('a WebGPU fallback adapter is software whatever it is called', () => {
    expect(classifyDevice(['nvidia', 'ampere'], { fallbackAdapter: true }).kind).toBe('software');
  });

  it('a device that names nothing is not trusted as a GPU', () => {
    expect(classifyDevice(['', undefined, null]).kind).toBe('software');
  });

  it.each([
    ['ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 (0x00002684) Direct3D11 vs_5_0 ps_5_0, D3D11)', 'Google Inc. (NVIDIA)'],
    ['ANGLE (NVIDIA Corporation, NVIDIA H100 80GB HBM3/PCIe/SSE2, OpenGL 4.5.0 NVIDIA 550.54.15)', 'Google Inc. (NVIDIA Corporation)'],
    ['ANGLE (AMD, Vulkan 1.3.260 (AMD Radeon RX 7900 XTX (RADV NAVI31) (0x0000744C)), radv)', 'Google Inc. (AMD)'],
    ['ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)', 'Google Inc. (Intel)'],
    ['ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)', 'Google Inc. (Apple)'],
    ['nvidia ampere', ''],
  ])('%s → gpu', (renderer, vendor) => {
    expect(classifyDevice([renderer, vendor])).toEqual({ kind: 'gpu' });
  });

  it('labels devices by the inner part of ANGLE strings', () => {
    expect(deviceLabel('ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 Direct3D11, D3D11)')).toBe('NVIDIA, NVIDIA GeForce RTX 4090 Direct3D11, D3D11');
    expect(deviceLabel('', 'Some Vendor')).toBe('Some Vendor');
  });
});
