import { describe, expect, it } from 'vitest';
import { presetSpace } from '../../../shared/search-space';
import { InvalidInputError, NotFoundError } from '../errors';
import { useTempStore } from '../testing/temp-store';

const t = useTempStore();

describe('search spaces', () => {
  it('writes the built-in presets once, refreshing them on later calls', () => {
    const first = t.store.spaces.ensureBuiltins();
    expect(first.map((s) => [s.name, s.builtin])).toEqual([['S1', true], ['S2', true], ['S3', true]]);
    expect(first[2]!.space).toEqual(presetSpace('S3'));
    t.clock.now += 1000;
    const again = t.store.spaces.ensureBuiltins();
    expect(again.map((s) => s.id)).toEqual(first.map((s) => s.id));
    expect(again[0]!.updatedAt).toBe('2026-11-29T12:00:01.000Z');
    expect(again[0]!.createdAt).toBe('2026-11-29T12:00:00.000Z');
  });

  it('round-trips a user space (validated and normalised), replacing it by name', () => {
    t.store.spaces.ensureBuiltins();
    const saved = t.store.spaces.save({ name: 'tiny', ops: ['sep_conv_3x3', 'none', 'skip_connect'], nodes: 2, cells: 5, channels: 8 });
    expect(saved).toMatchObject({ name: 'tiny', builtin: false, space: { name: 'tiny', ops: ['none', 'skip_connect', 'sep_conv_3x3'], nodes: 2, cells: 5, channels: 8 } });
    expect(t.store.spaces.get('tiny')).toEqual(saved);
    const replaced = t.store.spaces.save({ name: 'tiny', ops: ['skip_connect', 'sep_conv_3x3'], nodes: 3 });
    expect(replaced.id).toBe(saved.id);
    expect(replaced.space.nodes).toBe(3);
    expect(t.store.spaces.list().map((s) => s.name)).toEqual(['S1', 'S2', 'S3', 'tiny']);
  });

  it('protects built-ins and refuses invalid spaces', () => {
    t.store.spaces.ensureBuiltins();
    expect(() => t.store.spaces.save({ name: 'S1', ops: ['skip_connect'] })).toThrow(/built-in search space/);
    expect(t.store.spaces.get('S1')!.space.ops).toHaveLength(8);
    expect(() => t.store.spaces.remove('S2')).toThrow(/cannot be removed/);
    expect(() => t.store.spaces.save({ name: 'odd', channels: 15 })).toThrow(InvalidInputError);
    expect(() => t.store.spaces.save({ name: 'none-only', ops: ['none'] })).toThrow(InvalidInputError);
    t.store.spaces.save({ name: 'mine', ops: ['skip_connect'] });
    t.store.spaces.remove('mine');
    expect(() => t.store.spaces.remove('mine')).toThrow(NotFoundError);
  });
});
