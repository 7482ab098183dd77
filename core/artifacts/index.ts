export { sha256Hex } from './checksum.js';
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
export {
  ARTIFACT_FILES,
  LATEST_FILE,
  MANIFEST_FILE,
  OPTIONAL_ARTIFACT_FILES,
  VERSION_PATTERN,
  artifactKey,
  isVersion,
  latestKey,
  manifestKey,
  modelsPrefix,
  newVersion,
  pairPrefix,
  pairSlug,
  sortVersions,
  versionPrefix,
  type ArtifactName,
  type OptionalArtifactName,
} from './layout.js';
export { isConditionFailed, toArtifactError, type S3ErrorContext } from './s3-errors.js';
export {
  ArtifactNameSchema,
  LatestPointerSchema,
  ManifestFileSchema,
  ManifestSchema,
  ManifestModelSchema,
  Sha256HexSchema,
  VersionSchema,
  type LatestPointer,
  type Manifest,
  type ManifestFile,
  type ManifestModel,
} from './schemas.js';
export {
  ArtifactStore,
  type ArtifactFiles,
  type ArtifactStoreOptions,
  type LatestListing,
  PRUNE_GRACE_MS,
  type PruneOptions,
  type PublishInput,
  type PublishOutcome,
  type UnreadableLatest,
} from './store.js';
