// Test data in the contract's shapes: a run summary, a search epoch, a run detail.
import type { EpochDto, RunDetailDto, RunSummaryDto, SearchEpochMetricsDto } from '../../../shared/api/dto';
import { edgeCount } from '../../../shared/search-space';

export function runSummary(over: Partial<RunSummaryDto> = {}): RunSummaryDto {
  return {
    id: 1,
    kind: 'search',
    name: 'search #1',
    parentId: null,
    dataset: 'synthetic',
    space: 'S1',
    seed: 2,
    epochsPlanned: 2,
    backendChoice: 'cpu',
    backend: 'cpu',
    device: 'CPU (plain JavaScript)',
    deviceKind: 'cpu',
    status: 'completed',
    error: null,
    createdAt: '2026-11-29T12:00:00.000Z',
    queuedAt: '2026-11-29T12:00:00.000Z',
    startedAt: '2026-11-29T12:00:01.000Z',
    finishedAt: '2026-11-29T12:01:00.000Z',
    folder: '/runs/search-1',
    codeVersion: 'test',
    config: { space: { name: 'S1', ops: ['none', 'skip_connect', 'sep_conv_3x3'], nodes: 4, cells: 3, channels: 4 }, nodeNormalization: true },
    nodeNormalization: true,
    epochsDone: 2,
    lastEpoch: 1,
    bestValAcc: 0.5,
    lastValAcc: 0.5,
    lastZeroRatio: { normal: 0.3, reduce: 0.2 },
    trainSeconds: 50,
    elapsedSeconds: 59,
    ...over,
  };
}

export function searchMetrics(epoch: number, ops = 3): SearchEpochMetricsDto {
  const row = Array.from({ length: ops }, () => 1 / ops);
  const alpha = Array.from({ length: edgeCount(4) }, () => [...row]);
  return {
    epoch,
    lr: 0.025,
    alphaFrozen: false,
    trainLoss: 2 - epoch * 0.1,
    trainAcc: 0.2 + epoch * 0.1,
    valLoss: 2.1 - epoch * 0.1,
    valAcc: 0.15 + epoch * 0.1,
    zeroRatio: { normal: 1 / ops, reduce: 1 / ops },
    alphaSoftmax: { normal: alpha, reduce: alpha },
    nodeNorms: { normal: [1, 1.1, 1.2, 1.3], reduce: [0.9, 1, 1.1, 1.2] },
    steps: 2,
    images: 16,
    seconds: 3,
  };
}

export function epoch(e: number): EpochDto {
  const m = searchMetrics(e);
  return { epoch: e, lr: m.lr, trainLoss: m.trainLoss, trainAcc: m.trainAcc, valLoss: m.valLoss, valAcc: m.valAcc, testLoss: null, testAcc: null, zeroRatio: m.zeroRatio, seconds: m.seconds, metrics: m, recordedAt: '2026-11-29T12:00:30.000Z' };
}

export function runDetail(over: Partial<RunDetailDto> = {}): RunDetailDto {
  return { run: runSummary(), epochs: [epoch(0)], checkpoints: [], genotypes: [], children: [], result: null, evaluation: null, network: null, ...over };
}
