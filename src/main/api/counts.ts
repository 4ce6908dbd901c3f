// Parameter and multiply-add counts for the UI (supernet previews, retrain forms, the Compare table): the engine's
// analytic counts (no tensors), sized by a dataset's image shape and classes.
import type { NetworkCountsDto } from '../../shared/api/dto';
import { ApiError } from '../../shared/api/errors';
import type { Genotype } from '../../shared/genotype';
import { GenotypeError } from '../../shared/genotype-text';
import { resolveGenotype } from '../../shared/published-genotypes';
import type { SearchSpace } from '../../shared/search-space';
import { openDataset } from '../data/registry';
import { SYNTHETIC_CLASSES, SYNTHETIC_NAME, SYNTHETIC_SIDE } from '../data/synthetic';
import { homePaths } from '../store/home';

/** CIFAR-10's: what counts are quoted at when nothing says otherwise. */
export const DEFAULT_INPUT: { inputShape: [number, number, number]; numClasses: number } = { inputShape: [32, 32, 3], numClasses: 10 };

export interface CountSize {
  dataset?: string;
  inputShape?: [number, number, number];
  numClasses?: number;
}

/** Image shape and classes: explicit ones win, then the dataset's, then CIFAR-10's. */
export async function inputOf(home: string, size: CountSize): Promise<{ inputShape: [number, number, number]; numClasses: number }> {
  let base = DEFAULT_INPUT;
  if (size.dataset === SYNTHETIC_NAME) base = { inputShape: [SYNTHETIC_SIDE, SYNTHETIC_SIDE, 3], numClasses: SYNTHETIC_CLASSES.length };
  else if (size.dataset) {
    try {
      const ds = await openDataset(homePaths(home).datasets, size.dataset);
      base = { inputShape: [...ds.manifest.shape], numClasses: ds.manifest.classNames.length };
    } catch (err) {
      throw new ApiError({ code: 'not-found', message: `No dataset "${size.dataset}" to size the network by: ${(err as Error).message}` });
    }
  }
  return { inputShape: size.inputShape ?? base.inputShape, numClasses: size.numClasses ?? base.numClasses };
}

// The engine's count module pulls in TensorFlow.js (through the network plans): loaded on first use only.
let countModule: Promise<typeof import('../nas/count')> | null = null;
const counts = () => (countModule ??= import('../nas/count'));

function dto(c: { parameters: number; parametersWithAuxiliary: number; multiplyAdds: number; inputShape: [number, number, number]; numClasses: number }): NetworkCountsDto {
  return { parameters: c.parameters, parametersWithAuxiliary: c.parametersWithAuxiliary, multiplyAdds: c.multiplyAdds, inputShape: c.inputShape, numClasses: c.numClasses };
}

export async function supernetCounts(
  home: string,
  o: CountSize & { space: SearchSpace; stem: 'cifar' | 'imagenet'; stemMultiplier: number; nodeNormalization?: boolean },
): Promise<NetworkCountsDto> {
  const input = await inputOf(home, o);
  const { searchNetworkCost } = await counts();
  return dto(sized('supernet', () => searchNetworkCost({ space: o.space, stem: o.stem, stemMultiplier: o.stemMultiplier, nodeNormalization: o.nodeNormalization ?? true, ...input })));
}

/** A genotype from text, JSON or a published name, or an `invalid` error naming the line and column. */
export function genotypeArg(text: string): Genotype {
  try {
    return resolveGenotype(text);
  } catch (err) {
    if (err instanceof GenotypeError) throw new ApiError({ code: 'invalid', message: `The genotype cannot be read: ${err.message}`, issues: [{ path: 'genotype', message: err.message }] });
    throw err;
  }
}

/** The engine's reason a network cannot be built at this size (an auxiliary head on small images …) is the caller's to fix. */
function sized<T>(what: string, count: () => T): T {
  try {
    return count();
  } catch (err) {
    throw new ApiError({ code: 'invalid', message: `This ${what} cannot be built: ${(err as Error).message}.` });
  }
}

export async function networkCounts(
  home: string,
  o: CountSize & { genotype: Genotype; cells: number; channels: number; stem: 'cifar' | 'imagenet'; stemMultiplier: number; auxiliary: boolean },
): Promise<NetworkCountsDto> {
  const input = await inputOf(home, o);
  const { evalNetworkCost } = await counts();
  return dto(sized('network', () => evalNetworkCost({ genotype: o.genotype, cells: o.cells, channels: o.channels, stem: o.stem, stemMultiplier: o.stemMultiplier, auxiliary: o.auxiliary, ...input })));
}
