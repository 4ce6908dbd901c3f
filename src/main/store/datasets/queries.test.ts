import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../errors';
import { sampleDataset } from '../testing/fixtures';
import { useTempStore } from '../testing/temp-store';

const t = useTempStore();

describe('datasets', () => {
  it('round-trips a registration and lists by name', () => {
    const input = sampleDataset('cifar10');
    const d = t.store.datasets.register(input);
    expect(d).toEqual({ id: d.id, ...input, createdAt: '2026-11-29T12:00:00.000Z' });
    expect(t.store.datasets.get('cifar10')).toEqual(d);
    const a = t.store.datasets.register({ ...sampleDataset('a-folder'), format: 'image-folder', source: undefined });
    expect(a.source).toBeNull();
    expect(t.store.datasets.list().map((x) => x.name)).toEqual(['a-folder', 'cifar10']);
  });

  it('refuses a taken name and inconsistent shapes or counts', () => {
    t.store.datasets.register(sampleDataset());
    expect(() => t.store.datasets.register(sampleDataset())).toThrow(/already registered/);
    expect(() => t.store.datasets.register({ ...sampleDataset('x'), shape: { channels: 0, height: 32, width: 32 } })).toThrow(InvalidInputError);
    expect(() => t.store.datasets.register({ ...sampleDataset('x'), classCounts: { train: [1, 2] } })).toThrow(/2 class counts for 10 classes/);
    expect(() => t.store.datasets.register({ ...sampleDataset('x'), classes: [] , classCounts: {} })).toThrow(/no classes/);
    expect(t.store.datasets.get('x')).toBeUndefined();
  });

  it('removes one', () => {
    t.store.datasets.register(sampleDataset());
    t.store.datasets.remove('cifar10');
    expect(t.store.datasets.list()).toEqual([]);
    expect(() => t.store.datasets.remove('cifar10')).toThrow(NotFoundError);
  });
});
