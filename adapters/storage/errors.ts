/** Base of every error raised by core/artifacts, so a caller can catch the whole domain at once. */
export class ArtifactError extends Error {
  public override name = 'ArtifactError';
}

/**
 * The object store could not be reached or answered with a server error (network error, timeout,
 * 5xx, throttling, missing bucket). Worth retrying later; serving answers 503 with it.
 */
export class StorageUnavailableError extends ArtifactError {
  /** The S3 operation that failed, for example `GetObject`. */
  public readonly operation: string;
  /** The key the operation was about, when it was about one. */
  public readonly key: string | undefined;

  public constructor(message: string, operation: string, key?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageUnavailableError';
    this.operation = operation;
    this.key = key;
  }
}

/** An object the caller asked for does not exist (never published, or pruned since). */
export class ArtifactNotFoundError extends ArtifactError {
  public readonly key: string;

  public constructor(message: string, key: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ArtifactNotFoundError';
    this.key = key;
  }
}

/** An object's bytes do not match the sha256 (or size) the manifest recorded when it was published. */
export class ArtifactIntegrityError extends ArtifactError {
  public readonly key: string;
  public readonly expectedSha256: string;
  public readonly actualSha256: string;

  public constructor(key: string, expectedSha256: string, actualSha256: string, detail?: string) {
    const suffix = detail === undefined ? '' : ` (${detail})`;
    super(
      `Artifact ${key} is corrupt or was replaced: expected sha256 ${expectedSha256}, got ${actualSha256}${suffix}`,
    );
    this.name = 'ArtifactIntegrityError';
    this.key = key;
    this.expectedSha256 = expectedSha256;
    this.actualSha256 = actualSha256;
  }
}

/** manifest.json or latest.json is not valid JSON, does not match its schema, or contradicts its location. */
export class ManifestError extends ArtifactError {
  public readonly key: string;
  /** Every problem found, one line each. */
  public readonly problems: readonly string[];

  public constructor(key: string, problems: readonly string[], options?: ErrorOptions) {
    super(`Invalid ${key}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'ManifestError';
    this.key = key;
    this.problems = problems;
  }
}

/** An object larger than its bound (ARTIFACT_SIZE_LIMITS): refused before its body is read. */
export class ArtifactTooLargeError extends ArtifactError {
  public readonly key: string;
  public readonly bytes: number;
  public readonly limit: number;

  public constructor(key: string, bytes: number, limit: number, bound: string) {
    super(`${key} holds ${bytes} bytes, over the bound of ${limit} (${bound}): refused unread`);
    this.name = 'ArtifactTooLargeError';
    this.key = key;
    this.bytes = bytes;
    this.limit = limit;
  }
}

/**
 * A version whose manifest carries no valid signature of the configured key: unsigned (published before
 * signing, or by someone without the key), signed by another key, or altered after signing. Nothing else
 * of the version is read.
 */
export class UnverifiedVersionError extends ArtifactError {
  public readonly pair: string;
  public readonly version: string;
  public readonly reason: string;

  public constructor(pair: string, version: string, reason: string, options?: ErrorOptions) {
    super(
      `Refusing ${pair} version ${version}: ${reason}. Only a version signed by the training job's key is ` +
        'served; republish it with the pipeline, or promote a signed version: npm run jobs -- promote',
      options,
    );
    this.name = 'UnverifiedVersionError';
    this.pair = pair;
    this.version = version;
    this.reason = reason;
  }
}

/**
 * A version cannot be made live: its manifest is missing, or a file it lists is missing or does not
 * match the size and sha256 recorded (a prune or another writer got there first). latest.json was left
 * as it was.
 */
export class IncompleteVersionError extends ArtifactError {
  public readonly version: string;
  /** Every problem found, one line each. */
  public readonly problems: readonly string[];

  public constructor(pair: string, version: string, problems: readonly string[], options?: ErrorOptions) {
    super(
      `${pair} version ${version} is incomplete, latest.json left unchanged:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      options,
    );
    this.name = 'IncompleteVersionError';
    this.version = version;
    this.problems = problems;
  }
}

/** latest.json kept changing under a conditional write, more times than a writer retries. */
export class PointerConflictError extends ArtifactError {
  public readonly key: string;

  public constructor(key: string, attempts: number, options?: ErrorOptions) {
    super(
      `${key} changed under each of ${attempts} conditional writes; another publisher is writing it, try again`,
      options,
    );
    this.name = 'PointerConflictError';
    this.key = key;
  }
}
