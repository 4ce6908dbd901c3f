// The dataset name rule (a safe folder name under <home>/datasets, in any script) and the slug that makes one from a file name.

/**
 * Letters and digits of any script (with their combining marks), `.`, `_`, `-`; starts with a letter or
 * digit, at most 64 characters. No separator, no control or format character, never `.` or `..`: safe
 * as one path segment on every platform we ship to.
 */
export const DATASET_NAME = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}._-]{0,63}$/u;

export const DATASET_NAME_RULE = 'use letters (any script), digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters';

/**
 * A valid dataset name from a file or folder name, keeping its letters (`Fashion-MNIST-données`,
 * `手写数字`): other runs of characters become one `-`, leading and trailing separators go; undefined
 * when nothing usable is left.
 */
export function datasetSlug(text: string): string | undefined {
  const clean = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\p{M}._-]+/gu, '-')
    .replace(/^[^\p{L}\p{N}]+/u, '');
  const cut = [...clean].slice(0, 64).join('').replace(/[._-]+$/u, '');
  return cut.length > 0 ? cut : undefined;
}
