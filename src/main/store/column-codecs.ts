// Column codecs: how JSON, booleans and timestamps are written to and read from SQLite columns.

/** JSON text for a TEXT column. NaN and ±Infinity become null (JSON has no spelling for them). */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function fromJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toFlag(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

/** Timestamps are stored as integer milliseconds (UTC) and handed out as ISO 8601 strings. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toIsoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A REAL column value: SQLite stores NaN as NULL, so a non-finite number is written as NULL explicitly. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
