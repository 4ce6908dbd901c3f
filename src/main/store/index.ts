// The run store's public surface: open it, and the types its typed queries take and return.
export { openStore, type Store, type StoreOptions, type StoreSettings } from './store';
export { APP_NAME, HOME_ENV, defaultHome, resolveHome, homePaths } from './home';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations';
export type { MigrationReport } from './migrate';
export { SchemaTooNewError, MigrationError, NotFoundError, InvalidTransitionError, InvalidInputError } from './errors';
export type { RunDetail } from './run-detail';

export * from './runs/run';
export { RUN_TRANSITIONS, RESUMABLE, canTransition, isFinal } from './runs/status';
export type { RunQueries } from './runs/queries';
export type { EpochRecord, EpochScalars, EpochInput } from './epochs/epoch';
export { searchEpochInput, type EpochQueries } from './epochs/queries';
export type { Checkpoint, NewCheckpoint } from './checkpoints/checkpoint';
export type { CheckpointQueries } from './checkpoints/queries';
export { GENOTYPE_METHODS, type GenotypeMethod, type StoredGenotype, type NewGenotype } from './genotypes/stored-genotype';
export type { GenotypeQueries } from './genotypes/queries';
export type { RetrainResult, NewRetrainResult } from './results/retrain-result';
export type { RetrainResultQueries } from './results/queries';
export type { Dataset, DatasetShape, NewDataset } from './datasets/dataset';
export type { DatasetQueries } from './datasets/queries';
export type { SavedSpace } from './spaces/saved-space';
export type { SpaceQueries } from './spaces/queries';
