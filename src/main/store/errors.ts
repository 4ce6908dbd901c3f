// The store's errors: each says what was refused and why, in words a researcher can act on.

/** The database was written by a newer NAS Workbench: opening it here could corrupt it. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly dbPath: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `The run database ${dbPath} has schema version ${found}, but this NAS Workbench knows versions up to ${known}. ` +
        'It was written by a newer version; update NAS Workbench (or point --home / NASW_HOME elsewhere) instead of opening it with this one.',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** A migration failed; the database is left at the version before it (each migration is one transaction). */
export class MigrationError extends Error {
  constructor(
    readonly version: number,
    readonly migrationName: string,
    cause: unknown,
  ) {
    super(`Migration ${version} (${migrationName}) failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

/** A row that a call names does not exist. */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string | number,
  ) {
    super(`No ${entity} ${typeof key === 'number' ? '#' + key : `"${key}"`} in the store.`);
    this.name = 'NotFoundError';
  }
}

/** A run status change that the run's life cycle does not allow (e.g. anything after `completed`). */
export class InvalidTransitionError extends Error {
  constructor(
    readonly runId: number,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Run #${runId} is ${from}; it cannot become ${to}.`);
    this.name = 'InvalidTransitionError';
  }
}

/** Input that the schema would reject, caught before SQL with a readable message. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}
