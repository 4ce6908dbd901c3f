// The data layer's one error: bad input named by its file and its problem, in words a user can act on.

/** A dataset source, cache or name that cannot be used; `file` is the file or folder at fault. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options);
    this.name = 'DatasetError';
  }
}
