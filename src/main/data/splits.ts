// Seeded search splits of a training split: the w part, the α part, and a discretization subset taken from the α part.
import { DatasetError } from './errors';
import { Prng } from './prng';

/** Stream id of the split permutation (other streams: loaders). */
export const SPLIT_STREAM = 0x5b1;

export interface SearchSplitConfig {
  wFraction: number;
  alphaFraction: number;
  discretizeImages: number;
}

/** Index sets into the training split, each sorted ascending. */
export interface SearchSplits {
  w: Uint32Array;
  alpha: Uint32Array;
  discretize: Uint32Array;
}

const ascending = (a: Uint32Array): Uint32Array => a.slice().sort();

/**
 * A seeded permutation of 0..n−1: the first ⌊wFraction·n⌋ indices are the w part, the next
 * ⌊alphaFraction·n⌋ the α part (w and α never overlap; the rest is unused). The discretization
 * subset is the first min(discretizeImages, |α|) of the α part in that permuted order, i.e. a random
 * subset of the α part: images the weights were not trained on, as the α updates' validation data.
 */
export function searchSplits(n: number, cfg: SearchSplitConfig, seed: number, dataset = 'train split'): SearchSplits {
  if (cfg.wFraction + cfg.alphaFraction > 1 + 1e-9) throw new DatasetError(dataset, 'w and α shares add up to more than 1');
  const nw = Math.floor(n * cfg.wFraction);
  const na = Math.min(n - nw, Math.floor(n * cfg.alphaFraction));
  if (nw < 1 || na < 1) throw new DatasetError(dataset, `${n} training images are too few for a w share of ${cfg.wFraction} and an α share of ${cfg.alphaFraction}`);
  const perm = Prng.of(seed, SPLIT_STREAM).permutation(n);
  const alpha = perm.subarray(nw, nw + na);
  return {
    w: ascending(perm.subarray(0, nw)),
    alpha: ascending(alpha),
    discretize: ascending(alpha.subarray(0, Math.min(cfg.discretizeImages, na))),
  };
}
