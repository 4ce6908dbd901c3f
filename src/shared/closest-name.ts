// "Did you mean …?": the one known name closest to a mistyped one, for error messages (operations, datasets, options).

/**
 * The single candidate equal to `name` ignoring case and separators, else the single one within
 * `maxDistance` edits (case-insensitive); undefined when none is close or two are equally close.
 */
export function closestName<T extends string>(name: string, candidates: readonly T[], maxDistance = 2): T | undefined {
  const squash = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const exact = candidates.filter((c) => squash(c) === squash(name));
  if (exact.length === 1) return exact[0];
  let best: T | undefined;
  let bestDistance = maxDistance + 1;
  let tie = false;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) {
      tie = true;
    }
  }
  return tie ? undefined : best;
}

/** Levenshtein distance over UTF-16 units. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}
