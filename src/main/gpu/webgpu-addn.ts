// Fix for tfjs-backend-webgpu 4.22: AddN binds every input to one shader, so 8 or more inputs exceed
// WebGPU's storage-buffer limit per shader stage (8 by default; tfjs does not raise it) and the sum
// comes out wrong with no error. A DARTS node sums (edges × operations) terms, up to 40 of them.
// Concat in the same backend already splits its inputs this way (Concat_impl.js); AddN is taught the same.
import * as tf from '@tensorflow/tfjs';

type AddNArgs = { inputs: tf.TensorInfo[]; backend: { device: { limits: { maxStorageBuffersPerShaderStage: number } }; disposeData(id: object): void }; attrs: tf.NamedAttrMap };

let patched = false;

/** Replace webgpu's AddN by one that sums at most (limit − 1) inputs per shader. Idempotent. */
export function patchWebgpuAddN(): void {
  if (patched) return;
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original) return;
  patched = true;
  const sum = (args: AddNArgs): tf.TensorInfo => {
    const { inputs, backend } = args;
    // One storage buffer is the output.
    const most = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= most) return original.kernelFunc(args as never) as tf.TensorInfo;
    const partial: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += most) {
      const chunk = inputs.slice(i, i + most);
      partial.push(chunk.length === 1 ? chunk[0]! : sum({ ...args, inputs: chunk }));
    }
    const out = sum({ ...args, inputs: partial });
    for (const p of partial) if (!inputs.includes(p)) backend.disposeData(p.dataId);
    return out;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ kernelName: 'AddN', backendName: 'webgpu', kernelFunc: sum as unknown as tf.KernelFunc });
}
