export { ensureBucket } from './bucket.js';
export {
  LOCAL_CREDENTIALS,
  S3_CLIENT_DEFAULTS,
  SERVING_S3_OPTIONS,
  createS3Client,
  localCredentialsFor,
  type S3ClientOptions,
} from './client.js';
export {
  ArtifactError,
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  IncompleteVersionError,
  ManifestError,
  PointerConflictError,
  StorageUnavailableError,
} from './errors.js';
export { type ArtifactFiles, type PublishInput, type PublishOutcome } from './publication.js';
export { PRUNE_GRACE_MS, type PruneOptions } from './retention.js';
export { isConditionFailed, toArtifactError, type S3ErrorContext } from './s3-errors.js';
export { ArtifactStore, type ArtifactStoreOptions } from './store.js';
export {
  MAX_RUNS_LISTED,
  RunRecords,
  type RunListing,
  type RunRecordsOptions,
  type UnreadableRun,
} from './run-records.js';
export { type LatestListing, type UnreadableLatest } from './version-reader.js';
