import { describe, expect, it } from 'vitest';
import { DATASET_NAME, datasetSlug } from './dataset-name';

describe('dataset names', () => {
  it('keep the letters of any script', () => {
    expect(datasetSlug('Fashion-MNIST-données')).toBe('Fashion-MNIST-données');
    expect(datasetSlug('手写数字')).toBe('手写数字');
    expect(datasetSlug('Ελληνικά ψηφία')).toBe('Ελληνικά-ψηφία');
    expect(datasetSlug('हिन्दी अंक')).toBe('हिन्दी-अंक'); // combining vowel signs stay
    // A decomposed é (as some file systems hand it over) comes back composed.
    expect(datasetSlug('donne\u0301es')).toBe('données');
  });

  it('stay one safe path segment', () => {
    expect(datasetSlug('../../etc/passwd')).toBe('etc-passwd');
    expect(datasetSlug('.hidden name!')).toBe('hidden-name');
    expect(datasetSlug('a\\b/c:d')).toBe('a-b-c-d');
    expect(datasetSlug('right\u202Eleft')).toBe('right-left'); // a bidi override is no letter
    expect(datasetSlug('!!!')).toBeUndefined();
    expect(datasetSlug('..')).toBeUndefined();
    expect([...datasetSlug('数'.repeat(100))!]).toHaveLength(64);
  });

  it('the rule accepts what the slug makes and refuses separators and hidden names', () => {
    for (const ok of ['cifar10', 'Fashion-MNIST-données', '手写数字', 'a.b_c-d']) expect(DATASET_NAME.test(ok)).toBe(true);
    for (const bad of ['', '.hidden', '..', 'a/b', 'a\\b', '-x', 'a b', 'x'.repeat(65), '\u0301e']) expect(DATASET_NAME.test(bad)).toBe(false);
  });
});
