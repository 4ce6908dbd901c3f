// Test and benchmark data: realistic configs, epoch metrics (14×8 α softmax per cell type), genotypes.
import type { Genotype } from '../../../shared/genotype';
import type { SearchEpochMetrics } from '../../../shared/metrics';
import { searchConfig, type SearchConfig } from '../../../shared/search-config';
import { edgeCount } from '../../../shared/search-space';
import type { NewDataset } from '../datasets/dataset';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function softmaxRows(rows: number, cols: number, next: () => number): number[][] {
  return Array.from({ length: rows }, () => {
    const e = Array.from({ length: cols }, () => Math.exp(next() * 2));
    const sum = e.reduce((s, x) => s + x, 0);
    return e.map((x) => x / sum);
  });
}

export function sampleSearchConfig(overrides: Parameters<typeof searchConfig>[0] = {}): SearchConfig {
  return searchConfig({ epochs: 50, seed: 7, data: { dataset: 'cifar10' }, ...overrides });
}

/** One epoch as the engine emits it for the default space (4 nodes → 14 edges, 8 ops), full-precision floats. */
export function sampleSearchMetrics(epoch: number, seed = epoch + 1): SearchEpochMetrics {
  const next = rng(seed);
  const edges = edgeCount(4);
  const normal = softmaxRows(edges, 8, next);
  const reduce = softmaxRows(edges, 8, next);
  const meanNone = (m: number[][]) => m.reduce((s, row) => s + row[0]!, 0) / m.length;
  return {
    epoch,
    lr: 0.025 * (0.5 + 0.5 * Math.cos((Math.PI * epoch) / 50)),
    alphaFrozen: epoch < 15,
    trainLoss: 2.3 - epoch * 0.03 + next() * 0.01,
    trainAcc: 0.1 + epoch * 0.015 + next() * 0.001,
    valLoss: 2.3 - epoch * 0.025 + next() * 0.01,
    valAcc: 0.1 + epoch * 0.012 + next() * 0.001,
    zeroRatio: { normal: meanNone(normal), reduce: meanNone(reduce) },
    alphaSoftmax: { normal, reduce },
    nodeNorms: { normal: Array.from({ length: 4 }, () => 0.5 + next()), reduce: Array.from({ length: 4 }, () => 0.5 + next()) },
    steps: 390,
    images: 25000,
    seconds: 60 + next() * 5,
  };
}

/** DARTS_V2 from the reference code. */
export const DARTS_V2: Genotype = {
  normal: [
    { op: 'sep_conv_3x3', input: 0 },
    { op: 'sep_conv_3x3', input: 1 },
    { op: 'sep_conv_3x3', input: 0 },
    { op: 'sep_conv_3x3', input: 1 },
    { op: 'sep_conv_3x3', input: 1 },
    { op: 'skip_connect', input: 0 },
    { op: 'skip_connect', input: 0 },
    { op: 'dil_conv_3x3', input: 2 },
  ],
  normalConcat: [2, 3, 4, 5],
  reduce: [
    { op: 'max_pool_3x3', input: 0 },
    { op: 'max_pool_3x3', input: 1 },
    { op: 'skip_connect', input: 2 },
    { op: 'max_pool_3x3', input: 1 },
    { op: 'max_pool_3x3', input: 0 },
    { op: 'skip_connect', input: 2 },
    { op: 'skip_connect', input: 2 },
    { op: 'max_pool_3x3', input: 1 },
  ],
  reduceConcat: [2, 3, 4, 5],
};

export const DARTS_V2_TEXT =
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export function sampleDataset(name = 'cifar10'): NewDataset {
  return {
    name,
    format: 'cifar10',
    shape: { channels: 3, height: 32, width: 32 },
    classes: [...CIFAR10_CLASSES],
    classCounts: { train: CIFAR10_CLASSES.map(() => 5000), test: CIFAR10_CLASSES.map(() => 1000) },
    checksum: 'c58f30108f718f92721af3b95e74349a',
    cachePath: `/data/datasets/${name}`,
    source: '/downloads/cifar-10-binary.tar.gz',
  };
}

/** A syntactically valid SHA-256 hex digest derived from a label (not a real file hash). */
export function fakeSha256(label: string): string {
  let h = 0;
  for (const c of label) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
}
