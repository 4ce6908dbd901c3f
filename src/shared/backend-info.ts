// The compute backend and device a run really used, as recorded and shown (never a silent fallback).
import { z } from 'zod';

export const backendInfoSchema = z.object({
  backend: z.enum(['tensorflow', 'webgl', 'webgpu', 'wasm', 'cpu']),
  device: z.string(),
  /** `software`: a rasteriser (SwiftShader) or fallback adapter — never called a GPU. */
  kind: z.enum(['gpu', 'cpu', 'software']),
  notes: z.array(z.string()),
});
export type BackendInfoDto = z.infer<typeof backendInfoSchema>;
