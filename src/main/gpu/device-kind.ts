// Is a WebGL renderer / WebGPU adapter a real GPU? Software rasterisers and fallback adapters are never called one.

/** Renderer and adapter strings of CPU implementations of the GPU APIs, as browsers and drivers report them. */
const SOFTWARE_PATTERNS: [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader (Chromium\'s CPU renderer)'],
  [/subzero/i, 'SwiftShader (Subzero JIT)'],
  [/llvmpipe/i, 'Mesa llvmpipe (CPU rasteriser)'],
  [/lavapipe/i, 'Mesa lavapipe (CPU Vulkan)'],
  [/softpipe/i, 'Mesa softpipe (CPU rasteriser)'],
  [/basic render driver/i, 'Microsoft Basic Render Driver (WARP, CPU)'],
  [/\bwarp\b/i, 'WARP (Direct3D on the CPU)'],
  [/software/i, 'reports itself as software'],
  [/mesa offscreen/i, 'Mesa off-screen (CPU)'],
];

export interface DeviceClass {
  kind: 'gpu' | 'software';
  /** Why it is software (absent for a GPU). */
  reason?: string;
}

/**
 * Classify by the renderer / adapter strings. Anything that matches a software pattern, a WebGPU
 * fallback adapter, or a device that does not say what it is (empty strings) is `software`: the
 * workbench calls a device a GPU only when it can name it and it is not a known CPU implementation.
 */
export function classifyDevice(strings: (string | undefined | null)[], opts: { fallbackAdapter?: boolean } = {}): DeviceClass {
  if (opts.fallbackAdapter) return { kind: 'software', reason: 'a WebGPU fallback adapter (CPU implementation)' };
  const text = strings.filter((s): s is string => typeof s === 'string' && s.trim().length > 0).join(' | ');
  if (!text) return { kind: 'software', reason: 'the device does not report a renderer or adapter name, so it is not trusted as a GPU' };
  for (const [re, why] of SOFTWARE_PATTERNS) if (re.test(text)) return { kind: 'software', reason: why };
  return { kind: 'gpu' };
}

/** A short device name from ANGLE's renderer string: "ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 (0x2684) Direct3D11 …)" → the inner part. */
export function deviceLabel(renderer: string, vendor = ''): string {
  const m = /^ANGLE \((.*)\)$/.exec(renderer.trim());
  const inner = m ? m[1]! : renderer.trim();
  if (!inner) return vendor.trim() || 'unknown device';
  return inner;
}
