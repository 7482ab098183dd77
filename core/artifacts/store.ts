import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import type * as z from 'zod';
import { PairSchema, StorageConfigSchema, type Pair, type StorageConfig } from '../config/index.js';
import { createS3Client, type S3ClientOptions } from './client.js';
import {
  ArtifactError,
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  IncompleteVersionError,
  ManifestError,
  PointerConflictError,
} from './errors.js';
import {
  ARTIFACT_FILES,
  OPTIONAL_ARTIFACT_FILES,
  MANIFEST_FILE,
  LATEST_FILE,
  artifactKey,
  isVersion,
  latestKey,
  manifestKey,
  modelsPrefix,
  pairPrefix,
  sortVersions,
  type ArtifactName,
  type OptionalArtifactName,
} from './layout.js';
import { isConditionFailed, toArtifactError } from './s3-errors.js';
import {
  LatestPointerSchema,
  ManifestSchema,
  ManifestModelSchema,
  type LatestPointer,
  type Manifest,
  type ManifestFile,
  type ManifestModel,
} from './schemas.js';
import { sha256Hex } from './checksum.js';
import { issueLines } from '../validation/index.js';

export interface ArtifactStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** '' or a path ending in '/', as in StorageConfig. */
  readonly prefix: string;
  /** Time source for created_at and published_at; default the system clock. */
  readonly clock?: () => Date;
  /** Keys per ListObjectsV2 page; default (and S3's maximum) 1000. Smaller only to test paging. */
  readonly listPageSize?: number;
}

/** The bytes of one training run's output, by file name. */
export type ArtifactFiles = Readonly<Record<ArtifactName, Uint8Array>>;

export interface PublishInput {
  readonly pair: Pair;
  /** From newVersion(); a version is written once and never overwritten. */
  readonly version: string;
  readonly files: ArtifactFiles;
  /** Uploaded after the three files and listed in the manifest's optional_files. */
  readonly optionalFiles?: Readonly<Partial<Record<OptionalArtifactName, Uint8Array>>>;
  readonly model: ManifestModel;
}

const CONTENT_TYPES: Readonly<Record<ArtifactName, string>> = {
  'model.onnx': 'application/octet-stream',
  'scaler.json': 'application/json',
  'metrics.json': 'application/json',
};
const OPTIONAL_CONTENT_TYPES: Readonly<Record<OptionalArtifactName, string>> = {
  'distribution.json': 'application/json',
};
const JSON_TYPE = 'application/json';

/**
 * How long a version folder without a manifest must have gone unwritten before a prune may take it
 * for an abandoned run. A publish writes its four objects seconds apart; an hour leaves room for a
 * slow link and clock skew between the writer and the store, and an abandoned folder still goes at
 * the next hourly run's prune.
 */
export const PRUNE_GRACE_MS = 60 * 60 * 1000;

/** Conditional writes of latest.json tried before giving up: each retry means another writer won. */
const POINTER_ATTEMPTS = 8;

/** What a publish did to latest.json. */
export interface PublishOutcome {
  readonly manifest: Manifest;
  /** latest.json after this publish: this version, or a newer one another run made live first. */
  readonly latest: LatestPointer;
  /**
   * True when latest.json now points at this version. False when a newer version was live already
   * (a retried or slow run that lost the race): the files and manifest stay, nothing served changes,
   * and that is not a failure.
   */
  readonly promoted: boolean;
}

export interface PruneOptions {
  /** A folder without a manifest is only deleted once nothing was written in it for this long. */
  readonly graceMs?: number;
}

/** A latest.json that exists but cannot be used: its folder under the models prefix, and why. */
export interface UnreadableLatest {
  /** The folder's name, for example `btc_usdt` (pairSlug of the pair it should be about). */
  readonly folder: string;
  readonly error: ManifestError;
}

/** What listLatest() found. */
export interface LatestListing {
  /** Readable pointers, sorted by pair. */
  readonly pointers: LatestPointer[];
  readonly unreadable: UnreadableLatest[];
}

/** One version folder as found by listing: its keys, whether its manifest was written, its last write. */
interface VersionFolder {
  readonly keys: string[];
  complete: boolean;
  lastModified: number;
}

/** latest.json as stored, with the ETag a conditional write must match; version null when unreadable. */
interface StoredPointer {
  readonly pointer: LatestPointer | null;
  readonly etag: string | null;
}

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

function issues(error: z.ZodError): string[] {
  return issueLines(error);
}

/**
 * Models in S3, published so that a reader never sees half a version: the files first, then
 * manifest.json with their sha256, then latest.json, the one object readers start from. A failure at
 * any step before the last leaves latest.json (and so what is served) as it was.
 */
export class ArtifactStore {
  public readonly client: S3Client;
  public readonly bucket: string;
  public readonly prefix: string;
  private readonly clock: () => Date;
  private readonly listPageSize: number;

  public constructor(options: ArtifactStoreOptions) {
    const bucket = StorageConfigSchema.shape.bucket.safeParse(options.bucket);
    if (!bucket.success) {
      throw new RangeError(`Invalid bucket "${options.bucket}": ${issues(bucket.error).join('; ')}`);
    }
    const prefix = StorageConfigSchema.shape.prefix.safeParse(options.prefix);
    if (!prefix.success) {
      throw new RangeError(`Invalid prefix "${options.prefix}": ${issues(prefix.error).join('; ')}`);
    }
    this.client = options.client;
    this.bucket = bucket.data;
    this.prefix = prefix.data;
    this.clock = options.clock ?? (() => new Date());
    this.listPageSize = options.listPageSize ?? 1000;
    if (!Number.isInteger(this.listPageSize) || this.listPageSize < 1 || this.listPageSize > 1000) {
      throw new RangeError(`listPageSize must be an integer from 1 to 1000, got ${this.listPageSize}`);
    }
  }

  /** A store, and its own client, for the configured bucket. */
  public static fromConfig(
    storage: StorageConfig,
    options: S3ClientOptions & { readonly clock?: () => Date } = {},
  ): ArtifactStore {
    const { clock, ...clientOptions } = options;
    const client = createS3Client(storage, clientOptions);
    return new ArtifactStore({
      client,
      bucket: storage.bucket,
      prefix: storage.prefix,
      ...(clock === undefined ? {} : { clock }),
    });
  }

  /** publishVersion(), for callers that only want the manifest. */
  public async publish(input: PublishInput): Promise<Manifest> {
    return (await this.publishVersion(input)).manifest;
  }

  /**
   * Uploads the three files, then manifest.json, then moves latest.json to the version unless a newer
   * one is live already (see PublishOutcome). Refuses a version that already has a manifest: readers
   * may hold that manifest, and replacing the files under it would turn their next read into an
   * integrity error. Concurrent publishes of one pair (a Batch retry overlapping the next hourly run)
   * are safe: latest.json only ever moves to a newer, complete version (see advanceLatest).
   */
  public async publishVersion(input: PublishInput): Promise<PublishOutcome> {
    const pair = this.checkPair(input.pair);
    const key = manifestKey(this.prefix, pair, input.version);
    const model = ManifestModelSchema.safeParse(input.model);
    if (!model.success) {
      throw new ManifestError(
        key,
        issues(model.error).map((problem) => `model.${problem}`),
      );
    }
    for (const name of ARTIFACT_FILES) {
      if (!(input.files[name] instanceof Uint8Array)) {
        throw new ArtifactError(`Cannot publish ${pair} ${input.version}: ${name} is missing`);
      }
    }
    if (await this.exists(key)) {
      throw new ArtifactError(`${pair} version ${input.version} is already published (${key})`);
    }

    const files: Partial<Record<ArtifactName, ManifestFile>> = {};
    // One at a time: a failure stops the run before anything else is written, and the files are small.
    for (const name of ARTIFACT_FILES) {
      const bytes = input.files[name];
      const fileKey = artifactKey(this.prefix, pair, input.version, name);
      const sha256 = sha256Hex(bytes);
      await this.put(fileKey, bytes, CONTENT_TYPES[name], { sha256 });
      files[name] = { key: fileKey, sha256, bytes: bytes.byteLength };
    }
    const optionalFiles: Partial<Record<OptionalArtifactName, ManifestFile>> = {};
    for (const name of OPTIONAL_ARTIFACT_FILES) {
      const bytes = input.optionalFiles?.[name];
      if (bytes === undefined) continue;
      const fileKey = artifactKey(this.prefix, pair, input.version, name);
      const sha256 = sha256Hex(bytes);
      await this.put(fileKey, bytes, OPTIONAL_CONTENT_TYPES[name], { sha256 });
      optionalFiles[name] = { key: fileKey, sha256, bytes: bytes.byteLength };
    }

    const checked = ManifestSchema.safeParse({
      schema_version: 1,
      pair,
      version: input.version,
      created_at: this.clock().toISOString(),
      files,
      ...(Object.keys(optionalFiles).length > 0 ? { optional_files: optionalFiles } : {}),
      model: model.data,
    });
    if (!checked.success) {
      throw new ManifestError(key, issues(checked.error));
    }
    // Returned as a reader will parse it, so the caller holds exactly what was written.
    const bytes = encodeJson(checked.data);
    const manifest = this.parseJson(key, bytes, ManifestSchema);
    try {
      // Write-once, also against a run with the same version that checked exists() at the same time.
      await this.put(key, bytes, JSON_TYPE, undefined, undefined, { ifNoneMatch: true });
    } catch (error) {
      if (isConditionFailed(error)) {
        throw new ArtifactError(`${pair} version ${input.version} is already published (${key})`, {
          cause: error,
        });
      }
      throw error;
    }
    const { latest, promoted } = await this.advanceLatest(pair, input.version);
    return { manifest, latest, promoted };
  }

  /**
   * Points latest.json at an already published version, older or newer than the live one: an
   * operator's rollback, or a re-promotion. The version's files are checked against its manifest
   * first, and the write is conditional on the pointer read, so a publish landing meanwhile is never
   * overwritten (PointerConflictError: read what is live and decide again).
   */
  public async promote(pair: Pair, version: string): Promise<LatestPointer> {
    const checkedPair = this.checkPair(pair);
    const stored = await this.readStoredPointer(checkedPair);
    await this.verifyComplete(checkedPair, version);
    const pointer = await this.writeLatest(checkedPair, version, stored.etag);
    if (pointer === null) throw new PointerConflictError(latestKey(this.prefix, checkedPair), 1);
    return pointer;
  }

  /** The version served for `pair`, or null when nothing was ever published for it. */
  public async readLatest(pair: Pair): Promise<LatestPointer | null> {
    const checkedPair = this.checkPair(pair);
    const key = latestKey(this.prefix, checkedPair);
    const bytes = await this.getOrNull(key);
    if (bytes === null) {
      return null;
    }
    const pointer = this.parseJson(key, bytes, LatestPointerSchema);
    const problems: string[] = [];
    if (pointer.pair !== checkedPair) {
      problems.push(`pair is ${pointer.pair}, but the pointer is stored under ${checkedPair}`);
    }
    const expectedKey = manifestKey(this.prefix, checkedPair, pointer.version);
    if (pointer.manifest_key !== expectedKey) {
      problems.push(`manifest_key is ${pointer.manifest_key}, expected ${expectedKey}`);
    }
    if (problems.length > 0) {
      throw new ManifestError(key, problems);
    }
    return pointer;
  }

  /** The manifest of one version; ArtifactNotFoundError when that version has none. */
  public async readManifest(pair: Pair, version: string): Promise<Manifest> {
    const checkedPair = this.checkPair(pair);
    const key = manifestKey(this.prefix, checkedPair, version);
    let bytes: Uint8Array;
    try {
      bytes = await this.get(key);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) {
        throw new ArtifactNotFoundError(
          `${checkedPair} version ${version} is not published (no ${key})`,
          key,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    const manifest = this.parseJson(key, bytes, ManifestSchema);
    const problems: string[] = [];
    if (manifest.pair !== checkedPair) {
      problems.push(`pair is ${manifest.pair}, expected ${checkedPair}`);
    }
    if (manifest.version !== version) {
      problems.push(`version is ${manifest.version}, expected ${version}`);
    }
    for (const name of ARTIFACT_FILES) {
      const expected = artifactKey(this.prefix, checkedPair, version, name);
      if (manifest.files[name].key !== expected) {
        problems.push(`files.${name}.key is ${manifest.files[name].key}, expected ${expected}`);
      }
    }
    for (const name of OPTIONAL_ARTIFACT_FILES) {
      const entry = manifest.optional_files?.[name];
      const expected = artifactKey(this.prefix, checkedPair, version, name);
      if (entry !== undefined && entry.key !== expected) {
        problems.push(`optional_files.${name}.key is ${entry.key}, expected ${expected}`);
      }
    }
    if (problems.length > 0) {
      throw new ManifestError(key, problems);
    }
    return manifest;
  }

  /** The bytes of one file of a manifest, checked against its recorded size and sha256. */
  public async readFile(manifest: Manifest, name: ArtifactName): Promise<Uint8Array> {
    return this.readEntry(manifest.files[name]);
  }

  /** An optional file's bytes, checked like readFile's; null when the version was published without it. */
  public async readOptionalFile(manifest: Manifest, name: OptionalArtifactName): Promise<Uint8Array | null> {
    const entry = manifest.optional_files?.[name];
    return entry === undefined ? null : this.readEntry(entry);
  }

  private async readEntry(entry: ManifestFile): Promise<Uint8Array> {
    const bytes = await this.get(entry.key);
    const actual = sha256Hex(bytes);
    if (actual !== entry.sha256 || bytes.byteLength !== entry.bytes) {
      throw new ArtifactIntegrityError(
        entry.key,
        entry.sha256,
        actual,
        `${bytes.byteLength} bytes read, ${entry.bytes} expected`,
      );
    }
    return bytes;
  }

  /** Pairs that have a readable latest.json, as written in it, sorted. Unreadable ones are skipped. */
  public async listPairs(): Promise<Pair[]> {
    return (await this.listLatest()).pointers.map((pointer) => pointer.pair).sort();
  }

  /**
   * Every latest.json under the prefix, read in parallel: the readable pointers, and apart the ones
   * that cannot be parsed (a stray or corrupt file), so that one bad pointer does not hide the others.
   * Storage failures still throw: a partial answer would look like a smaller store.
   */
  public async listLatest(): Promise<LatestListing> {
    const base = modelsPrefix(this.prefix);
    const { prefixes } = await this.list(base, '/');
    const read = await Promise.all(
      prefixes.map(async (folder): Promise<LatestPointer | UnreadableLatest | null> => {
        const key = `${folder}${LATEST_FILE}`;
        const bytes = await this.getOrNull(key);
        if (bytes === null) return null;
        try {
          return this.parseJson(key, bytes, LatestPointerSchema);
        } catch (error) {
          if (!(error instanceof ManifestError)) throw error;
          return { folder: folder.slice(base.length, -1), error };
        }
      }),
    );
    const pointers: LatestPointer[] = [];
    const unreadable: UnreadableLatest[] = [];
    for (const entry of read) {
      if (entry === null) continue;
      if ('error' in entry) unreadable.push(entry);
      else pointers.push(entry);
    }
    pointers.sort((a, b) => (a.pair < b.pair ? -1 : a.pair > b.pair ? 1 : 0));
    return { pointers, unreadable };
  }

  /** Versions of `pair` whose manifest was written (complete publishes), oldest first. */
  public async listVersions(pair: Pair): Promise<string[]> {
    const folders = await this.scan(this.checkPair(pair));
    return sortVersions([...folders].filter(([, folder]) => folder.complete).map(([version]) => version));
  }

  /**
   * Deletes the versions that can no longer be served or become live, and returns them, oldest first:
   * those older than the live version (latest.json) that are not among the newest `keep` complete
   * ones. A folder without a manifest is deleted only when it is also older than the live version and
   * nothing was written in it for `graceMs` (default PRUNE_GRACE_MS): until then it may be a publish
   * still uploading. Nothing newer than the live version is touched (it may be a publish about to move
   * latest.json), nor anything at all when no version is live. With keep >= 2 a reader that read the
   * previous latest.json just before a publish can still fetch its files.
   *
   * A failure here never changes what is served: after a successful publish it is a warning, not a
   * failed run (it throws ArtifactError, StorageUnavailableError when storage failed).
   */
  public async pruneVersions(pair: Pair, keep: number, options: PruneOptions = {}): Promise<string[]> {
    if (!Number.isInteger(keep) || keep < 1) {
      throw new RangeError(`keep must be a positive integer, got ${keep}`);
    }
    const graceMs = options.graceMs ?? PRUNE_GRACE_MS;
    if (!(graceMs >= 0)) {
      throw new RangeError(`graceMs must be 0 or more, got ${graceMs}`);
    }
    const checkedPair = this.checkPair(pair);
    // Read first: a missing or broken pointer must stop the prune, never widen it.
    const latest = await this.readLatest(checkedPair);
    if (latest === null) {
      return [];
    }
    const folders = await this.scan(checkedPair);
    const complete = sortVersions(
      [...folders].filter(([, folder]) => folder.complete).map(([version]) => version),
    );
    const kept = new Set(complete.slice(-keep));
    const settledBefore = this.clock().getTime() - graceMs;
    const doomed = sortVersions(
      [...folders]
        .filter(
          ([version, folder]) =>
            version < latest.version &&
            !kept.has(version) &&
            (folder.complete || folder.lastModified <= settledBefore),
        )
        .map(([version]) => version),
    );
    for (const version of doomed) {
      const keys = folders.get(version)?.keys ?? [];
      // The manifest goes first, so a version is never listed as complete while its files disappear.
      const ordered = [
        ...keys.filter((key) => key.endsWith(`/${MANIFEST_FILE}`)),
        ...keys.filter((key) => !key.endsWith(`/${MANIFEST_FILE}`)),
      ];
      for (const key of ordered) {
        // One DeleteObject per key rather than DeleteObjects: the multi-delete needs a body checksum
        // that S3-compatible servers handle unevenly, and s3rver runs its deletes concurrently and
        // answers 500 when two keys share a folder. A version is four objects; pruning runs once a publish.
        await this.send('DeleteObject', key, () =>
          this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
        );
      }
    }
    return doomed;
  }

  /** Resolves when the bucket answers; StorageUnavailableError otherwise. For readiness checks. */
  public async ping(): Promise<void> {
    await this.send('HeadBucket', undefined, () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.bucket })),
    );
  }

  /** Creates the bucket if it does not exist. For the local stack and tests; production buckets come from CDK. */
  public async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      const missing =
        error instanceof S3ServiceException &&
        (error.$metadata.httpStatusCode === 404 || error.name === 'NoSuchBucket');
      if (!missing) {
        throw toArtifactError(error, { operation: 'HeadBucket', bucket: this.bucket });
      }
    }
    const region = await this.client.config.region();
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          // us-east-1 is the one region that refuses to be named here.
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      );
    } catch (error) {
      // Someone created it between our two calls; fine if it is ours to use, which ping() tells.
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 409) {
        await this.ping();
        return;
      }
      throw toArtifactError(error, { operation: 'CreateBucket', bucket: this.bucket });
    }
  }

  private checkPair(pair: Pair): Pair {
    if (!PairSchema.safeParse(pair).success) {
      throw new RangeError(`Invalid pair "${pair}": expected BASE/QUOTE in capitals, for example BTC/USDT`);
    }
    return pair;
  }

  /**
   * Moves latest.json to `version` if it is newer than the live one and complete, with a write
   * conditional on the pointer just read (If-Match its ETag, or If-None-Match * when there is none).
   * A refused write means another publisher moved the pointer: read it again and decide again. So the
   * pointer never goes back to an older version and never names a version whose files are not all
   * there, whatever the interleaving, on any store that honours conditional writes (AWS S3 since
   * 2024, MinIO, the local server). An unreadable latest.json counts as no pointer, so a publish heals it.
   */
  private async advanceLatest(
    pair: Pair,
    version: string,
  ): Promise<{ latest: LatestPointer; promoted: boolean }> {
    let verified = false;
    for (let attempt = 1; attempt <= POINTER_ATTEMPTS; attempt += 1) {
      const stored = await this.readStoredPointer(pair);
      if (stored.pointer !== null && stored.pointer.version >= version) {
        // Equal: our own write landed though its answer was lost (a version is published once).
        return { latest: stored.pointer, promoted: stored.pointer.version === version };
      }
      if (!verified) {
        try {
          await this.verifyComplete(pair, version);
        } catch (error) {
          // Files pruned because a newer version went live meanwhile: lost the race, not broken.
          const now = error instanceof IncompleteVersionError ? await this.readStoredPointer(pair) : stored;
          if (now.pointer !== null && now.pointer.version > version) {
            return { latest: now.pointer, promoted: false };
          }
          throw error;
        }
        verified = true;
      }
      const written = await this.writeLatest(pair, version, stored.etag);
      if (written !== null) {
        return { latest: written, promoted: true };
      }
    }
    throw new PointerConflictError(latestKey(this.prefix, pair), POINTER_ATTEMPTS);
  }

  /**
   * Every file the manifest lists is there with its recorded size and sha256 (from the object's
   * metadata: a HEAD per file, no download). IncompleteVersionError otherwise.
   */
  private async verifyComplete(pair: Pair, version: string): Promise<Manifest> {
    let manifest: Manifest;
    try {
      manifest = await this.readManifest(pair, version);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) {
        throw new IncompleteVersionError(pair, version, [`no ${manifestKey(this.prefix, pair, version)}`], {
          cause: error,
        });
      }
      throw error;
    }
    const problems: string[] = [];
    for (const name of ARTIFACT_FILES) {
      const entry = manifest.files[name];
      const head = await this.headOrNull(entry.key);
      if (head === null) {
        problems.push(`${entry.key} is missing`);
      } else if (head.bytes !== entry.bytes || head.sha256 !== entry.sha256) {
        problems.push(
          `${entry.key} holds ${head.bytes ?? '?'} bytes with sha256 ${head.sha256 ?? '(none recorded)'}, ` +
            `the manifest says ${entry.bytes} bytes with sha256 ${entry.sha256}`,
        );
      }
    }
    if (problems.length > 0) {
      throw new IncompleteVersionError(pair, version, problems);
    }
    return manifest;
  }

  /** latest.json and its ETag; a pointer that does not parse is reported as none, with its ETag. */
  private async readStoredPointer(pair: Pair): Promise<StoredPointer> {
    const key = latestKey(this.prefix, pair);
    const object = await this.getWithEtag(key);
    if (object === null) {
      return { pointer: null, etag: null };
    }
    try {
      const pointer = this.parseJson(key, object.bytes, LatestPointerSchema);
      const valid =
        pointer.pair === pair && pointer.manifest_key === manifestKey(this.prefix, pair, pointer.version);
      return { pointer: valid ? pointer : null, etag: object.etag };
    } catch (error) {
      if (error instanceof ManifestError) return { pointer: null, etag: object.etag };
      throw error;
    }
  }

  /**
   * Writes latest.json if it still has ETag `etag` (or still does not exist, for null); null when the
   * store refused because it changed.
   */
  private async writeLatest(pair: Pair, version: string, etag: string | null): Promise<LatestPointer | null> {
    const pointer: LatestPointer = {
      pair,
      version,
      manifest_key: manifestKey(this.prefix, pair, version),
      published_at: this.clock().toISOString(),
    };
    // A single PUT replaces the object whole: readers see the old pointer or the new one, never a mix.
    try {
      await this.put(
        latestKey(this.prefix, pair),
        encodeJson(pointer),
        JSON_TYPE,
        undefined,
        'no-cache',
        etag === null ? { ifNoneMatch: true } : { ifMatch: etag },
      );
    } catch (error) {
      // 404 on If-Match: the pointer was deleted since we read it; changed all the same.
      if (isConditionFailed(error) || (etag !== null && error instanceof ArtifactNotFoundError)) return null;
      throw error;
    }
    return pointer;
  }

  /** Version folders under the pair, with their keys; latest.json and stray keys are ignored. */
  private async scan(pair: Pair): Promise<Map<string, VersionFolder>> {
    const base = pairPrefix(this.prefix, pair);
    const { keys, modified } = await this.list(base);
    const folders = new Map<string, VersionFolder>();
    for (const [index, key] of keys.entries()) {
      const [version, ...rest] = key.slice(base.length).split('/');
      if (version === undefined || !isVersion(version) || rest.length === 0) {
        continue;
      }
      const folder = folders.get(version) ?? { keys: [], complete: false, lastModified: 0 };
      folder.keys.push(key);
      // A key without a date counts as written now: unknown age is never old enough to prune.
      folder.lastModified = Math.max(folder.lastModified, modified[index] ?? Number.POSITIVE_INFINITY);
      if (rest.join('/') === MANIFEST_FILE) {
        folder.complete = true;
      }
      folders.set(version, folder);
    }
    return folders;
  }

  private async list(
    prefix: string,
    delimiter?: string,
  ): Promise<{ keys: string[]; modified: number[]; prefixes: string[] }> {
    const keys: string[] = [];
    const modified: number[] = [];
    // A set: some S3-compatible servers (s3rver) repeat common prefixes on every page.
    const prefixes = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.send('ListObjectsV2', undefined, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            MaxKeys: this.listPageSize,
            ContinuationToken: token,
            ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
          }),
        ),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key !== undefined) {
          keys.push(item.Key);
          modified.push(item.LastModified?.getTime() ?? Number.POSITIVE_INFINITY);
        }
      }
      for (const item of page.CommonPrefixes ?? []) {
        if (item.Prefix !== undefined) prefixes.add(item.Prefix);
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return { keys, modified, prefixes: [...prefixes] };
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.send('HeadObject', key, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      return true;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return false;
      throw error;
    }
  }

  private async get(key: string): Promise<Uint8Array> {
    // The body is read inside send(): a connection cut mid-body is a storage error like any other.
    return this.send('GetObject', key, async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (response.Body === undefined) {
        throw new ArtifactError(`GetObject s3://${this.bucket}/${key} returned no body`);
      }
      return response.Body.transformToByteArray();
    });
  }

  private async getWithEtag(key: string): Promise<{ bytes: Uint8Array; etag: string | null } | null> {
    try {
      return await this.send('GetObject', key, async () => {
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        if (response.Body === undefined) {
          throw new ArtifactError(`GetObject s3://${this.bucket}/${key} returned no body`);
        }
        return { bytes: await response.Body.transformToByteArray(), etag: response.ETag ?? null };
      });
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  /** Size and recorded sha256 (object metadata) of a key, or null when it does not exist. */
  private async headOrNull(
    key: string,
  ): Promise<{ bytes: number | undefined; sha256: string | undefined } | null> {
    try {
      const head = await this.send('HeadObject', key, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      return { bytes: head.ContentLength, sha256: head.Metadata?.['sha256'] };
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  private async getOrNull(key: string): Promise<Uint8Array | null> {
    try {
      return await this.get(key);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  private async put(
    key: string,
    body: Uint8Array,
    contentType: string,
    metadata?: Record<string, string>,
    cacheControl?: string,
    condition?: { readonly ifMatch: string } | { readonly ifNoneMatch: true },
  ): Promise<void> {
    await this.send('PutObject', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ...(metadata === undefined ? {} : { Metadata: metadata }),
          ...(cacheControl === undefined ? {} : { CacheControl: cacheControl }),
          ...(condition === undefined
            ? {}
            : 'ifMatch' in condition
              ? { IfMatch: condition.ifMatch }
              : { IfNoneMatch: '*' }),
        }),
      ),
    );
  }

  private parseJson<T>(key: string, bytes: Uint8Array, schema: z.ZodType<T>): T {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      throw new ManifestError(
        key,
        [`not valid UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`],
        { cause: error },
      );
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new ManifestError(key, issues(parsed.error));
    }
    return parsed.data;
  }

  /** Runs one SDK call and lets no raw SDK error out. */
  private async send<T>(operation: string, key: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toArtifactError(error, { operation, bucket: this.bucket, ...(key === undefined ? {} : { key }) });
    }
  }
}
