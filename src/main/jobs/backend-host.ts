// The Node host's side of backend selection: loads the optional native binding the engine may not import.
import type { BackendHost } from '../nas/backend';

/** @tensorflow/tfjs-node-gpu is an optional dependency; a variable specifier keeps bundlers from requiring it. */
const NATIVE_GPU = '@tensorflow/tfjs-node-gpu';

export function nodeBackendHost(): BackendHost {
  return {
    loadNative: async () => {
      await import(/* @vite-ignore */ NATIVE_GPU);
      // Whether CUDA really took is checked by `nasw doctor`; until then the device is not called a GPU.
      return { device: 'TensorFlow native (libtensorflow; GPU use unverified)', gpu: false };
    },
  };
}
