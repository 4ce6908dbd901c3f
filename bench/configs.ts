// The benchmark's search configurations: the two PyTorch reference rows of issue 8 and the tiny test network.
import type { SearchSpaceInput } from '../src/shared/search-space';

/** The PyTorch reference (python3-torch 1.13, 2 threads, random data) on this project's 2-core machine. */
export interface ReferenceFigures {
  secondsPerIteration: number;
  imagesPerSecond: number;
  peakRssBytes: number;
  source: string;
}

export interface BenchConfig {
  name: string;
  description: string;
  space: SearchSpaceInput;
  /** [height, width, channels]. */
  input: [number, number, number];
  batch: number;
  classes: number;
  /** iDARTS node normalization (the product default; the DARTS reference has none: a BN per node, a small extra). */
  nodeNormalization: boolean;
  reference?: ReferenceFigures;
}

const GB = 1e9;

export const BENCH_CONFIGS: Record<string, BenchConfig> = {
  tiny: {
    name: 'tiny',
    description: 'the search tests\' network: 3 cells, 4 ch, 2 nodes, 5 ops, 8×8×3, batch 8',
    space: { ops: ['none', 'max_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'dil_conv_3x3'], cells: 3, channels: 4, nodes: 2 },
    input: [8, 8, 3],
    batch: 8,
    classes: 4,
    nodeNormalization: true,
  },
  mnist: {
    name: 'mnist',
    description: '5 cells, 8 ch, 4 nodes, S1, 28×28×1, batch 64',
    space: { name: 'S1', cells: 5, channels: 8, nodes: 4 },
    input: [28, 28, 1],
    batch: 64,
    classes: 10,
    nodeNormalization: true,
    reference: { secondsPerIteration: 3.45, imagesPerSecond: 37, peakRssBytes: 3.7 * GB, source: 'issue 8 (PyTorch 1.13, 2 threads)' },
  },
  cifar: {
    name: 'cifar',
    description: '8 cells, 16 ch, 4 nodes, S1, 32×32×3, batch 64 (the DARTS search network)',
    space: { name: 'S1', cells: 8, channels: 16, nodes: 4 },
    input: [32, 32, 3],
    batch: 64,
    classes: 10,
    nodeNormalization: true,
    reference: { secondsPerIteration: 13.2, imagesPerSecond: 9.7, peakRssBytes: 12.5 * GB, source: 'issue 8 (PyTorch 1.13, 2 threads)' },
  },
};

export const DEFAULT_CONFIG_ORDER = ['tiny', 'mnist', 'cifar'];
