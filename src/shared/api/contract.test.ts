import { describe, expect, it, vi } from 'vitest';
import { API_CHANNEL_NAMES, API_EVENT_NAMES } from './channel-names';
import { createApiClient, type ApiTransport } from './client';
import { apiChannels } from './contract';
import { ApiError } from './errors';
import { apiEvents, jobEventSchema } from './events';
import { readDecorrelationScores } from './genotype-scores';

function fakeTransport(answer: (channel: string, payload: unknown) => unknown) {
  const listeners = new Map<string, (p: unknown) => void>();
  const invoke = vi.fn(async (channel: string, payload: unknown) => answer(channel, payload));
  const transport: ApiTransport = {
    kind: 'http',
    invoke,
    on: (event, l) => {
      listeners.set(event, l);
      return () => listeners.delete(event);
    },
  };
  return { transport, invoke, emit: (event: string, payload: unknown) => listeners.get(event)?.(payload) };
}

const queue = { maxConcurrent: 1, running: [], queued: [] };

describe('the API contract', () => {
  it('names the same channels and events as the preload lists', () => {
    expect(Object.keys(apiChannels).sort()).toEqual([...API_CHANNEL_NAMES].sort());
    expect(Object.keys(apiEvents).sort()).toEqual([...API_EVENT_NAMES].sort());
  });

  it('applies request defaults and refuses unknown fields', () => {
    expect(apiChannels['runs/list'].request.parse(undefined)).toEqual({});
    expect(apiChannels['jobs/discretize'].request.parse({ searchRunId: 3, method: 'value' })).toEqual({ searchRunId: 3, method: 'value', checkpoint: 'last' });
    expect(apiChannels['runs/get'].request.safeParse({ id: 1, extra: true }).success).toBe(false);
    expect(apiChannels['jobs/discretize'].request.safeParse({ searchRunId: 3, method: 'best' }).success).toBe(false);
    expect(apiChannels['jobs/discretize'].request.safeParse({ searchRunId: 3, method: 'value', checkpoint: 0 }).success).toBe(false);
    expect(apiChannels['jobs/submit'].request.safeParse({ spec: { kind: 'search', config: { epochs: 3 } } }).success).toBe(true);
    expect(apiChannels['jobs/submit'].request.safeParse({ spec: { kind: 'train' } }).success).toBe(false);
  });

  it('takes an import from a path or an upload id only, and fills count defaults', () => {
    const imp = apiChannels['datasets/import'].request;
    expect(imp.safeParse({ source: { kind: 'path', path: '/data/cifar-10-binary.tar.gz' } }).success).toBe(true);
    expect(imp.safeParse({ source: { kind: 'upload', uploadId: 'AbCdEfGh12' }, name: 'x', size: 0, channels: 3 }).success).toBe(true);
    expect(imp.safeParse({ source: { kind: 'upload', uploadId: '../../etc' } }).success).toBe(false);
    expect(imp.safeParse({ source: { kind: 'url', url: 'http://x' } }).success).toBe(false);
    expect(imp.safeParse({ source: { kind: 'path', path: '/x' }, channels: 2 }).success).toBe(false);
    expect(imp.safeParse({ source: { kind: 'path', path: '/x' }, format: 'zip' }).success).toBe(false);
    expect(apiChannels['counts/network'].request.parse({ genotype: 'DARTS_V2', cells: 20, channels: 36 })).toEqual({ genotype: 'DARTS_V2', cells: 20, channels: 36, auxiliary: false, stem: 'cifar', stemMultiplier: 3 });
    // A space is read by the shared schema: defaults filled, catalogue order.
    expect(apiChannels['spaces/save'].request.parse({ space: { name: 'm', ops: ['sep_conv_3x3', 'none'] } }).space).toEqual({ name: 'm', ops: ['none', 'sep_conv_3x3'], nodes: 4, cells: 8, channels: 16 });
    expect(apiChannels['runs/compare'].request.safeParse({ ids: [] }).success).toBe(false);
    expect(apiChannels['runs/compare'].request.safeParse({ ids: [1, 2, 3, 4, 5, 6, 7, 8, 9] }).success).toBe(false);
  });

  it('validates import events', () => {
    const task = { id: 1, revision: 3, source: 'a', name: null, format: 'idx', status: 'failed', phase: 'reading', file: null, images: 0, total: 10, error: { message: 'a: bad', file: 'a' }, startedAt: 't', finishedAt: 't' };
    expect(apiEvents.import.safeParse(task).success).toBe(true);
    expect(apiEvents.import.safeParse({ ...task, status: 'exploded' }).success).toBe(false);
  });

  it('validates job events, accepting JSON nulls where the engine had NaN', () => {
    expect(jobEventSchema.safeParse({ type: 'progress', runId: 1, progress: { epoch: 0, step: 1, stepsPerEpoch: 2, epochs: 2, loss: null, elapsed: 1, eta: null } }).success).toBe(true);
    expect(jobEventSchema.safeParse({ type: 'status', runId: 1, status: 'exploded' }).success).toBe(false);
    expect(jobEventSchema.safeParse({ type: 'checkpoint', runId: 0, checkpointId: 1, epoch: 0, step: 0 }).success).toBe(false);
  });
});

describe('the client proxy', () => {
  it('maps api.domain.verb(request) to channel domain/verb and validates the answer', async () => {
    const { transport, invoke } = fakeTransport(() => ({ ok: true, result: queue }));
    const api = createApiClient(transport);
    await expect(api.jobs.queue()).resolves.toEqual(queue);
    expect(invoke).toHaveBeenCalledWith('jobs/queue', {});
  });

  it('refuses an invalid request before it is sent', async () => {
    const { transport, invoke } = fakeTransport(() => ({ ok: true, result: null }));
    const api = createApiClient(transport);
    const err = await api.runs.get({ id: -4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid');
    expect((err as ApiError).issues[0]!.path).toBe('id');
    expect(invoke).not.toHaveBeenCalled();
  });

  it('turns an error envelope into an ApiError with the service reason', async () => {
    const { transport } = fakeTransport(() => ({ ok: false, error: { code: 'conflict', message: 'Run #3 is completed; only queued or running runs can be cancelled.' } }));
    const err = (await createApiClient(transport)
      .jobs.cancel({ runId: 3 })
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/only queued or running/);
    expect(err.channel).toBe('jobs/cancel');
  });

  it('refuses an answer that breaks the contract', async () => {
    const { transport } = fakeTransport(() => ({ ok: true, result: { maxConcurrent: 'one' } }));
    const err = (await createApiClient(transport)
      .jobs.queue()
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/does not match the contract/);
  });

  it('delivers valid events to onXxx listeners and drops invalid ones', () => {
    const { transport, emit } = fakeTransport(() => null);
    const invalid = vi.fn();
    const api = createApiClient(transport, { onInvalidEvent: invalid });
    const got: unknown[] = [];
    const off = api.onJob((e) => got.push(e));
    emit('job', { type: 'status', runId: 2, status: 'running' });
    emit('job', { type: 'status', runId: 2 });
    expect(got).toEqual([{ type: 'status', runId: 2, status: 'running' }]);
    expect(invalid).toHaveBeenCalledTimes(1);
    off();
    emit('job', { type: 'status', runId: 2, status: 'completed' });
    expect(got).toHaveLength(1);
  });

  it('is not mistaken for a promise', async () => {
    const { transport } = fakeTransport(() => null);
    const api = createApiClient(transport);
    expect((api as unknown as { then?: unknown }).then).toBeUndefined();
    await expect(Promise.resolve(api)).resolves.toBe(api);
  });
});

describe('decorrelation scores', () => {
  const cell = { picks: [{ step: 0, node: 0, input: 1, op: 'sep_conv_3x3', score: 0.9, perCell: [0.9] }], opCorrelation: [{ node: 0, labels: ['a@0'], matrix: [[1]] }] };
  it('reads them bare or under `decorrelation`, and null for other methods', () => {
    expect(readDecorrelationScores({ alphaSoftmax: {}, normal: cell, reduce: null })?.normal?.picks[0]!.score).toBe(0.9);
    expect(readDecorrelationScores({ decorrelation: { normal: cell, reduce: cell } })?.reduce?.opCorrelation).toHaveLength(1);
    expect(readDecorrelationScores({ alphaSoftmax: { normal: [[1]] } })).toBeNull();
    expect(readDecorrelationScores(null)).toBeNull();
  });
});
