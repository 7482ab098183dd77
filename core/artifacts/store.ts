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
import type { z } from 'zod';
import { PairSchema, StorageConfigSchema, type Pair, type StorageConfig } from '../config/index.js';
import { createS3Client, type S3ClientOptions } from './client.js';
import { ArtifactError, ArtifactIntegrityError, ArtifactNotFoundError, ManifestError } from './errors.js';
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
import { toArtifactError } from './s3-errors.js';
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

/** One version folder as found by listing: its keys and whether its manifest was written. */
interface VersionFolder {
  readonly keys: string[];
  complete: boolean;
}

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
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

  /**
   * Uploads the three files, then manifest.json, then latest.json, and returns the manifest. Refuses a
   * version that already has a manifest: readers may hold that manifest, and replacing the files under
   * it would turn their next read into an integrity error.
   */
  public async publish(input: PublishInput): Promise<Manifest> {
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
    await this.put(key, bytes, JSON_TYPE);
    await this.writeLatest(pair, input.version);
    return manifest;
  }

  /**
   * Points latest.json at an already published version (a rollback, or a re-promotion after a
   * prune). The manifest is read first, so the pointer never names a version that is not there.
   */
  public async promote(pair: Pair, version: string): Promise<LatestPointer> {
    await this.readManifest(pair, version);
    return this.writeLatest(this.checkPair(pair), version);
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

  /** Pairs that have a latest.json, as written in it, sorted. */
  public async listPairs(): Promise<Pair[]> {
    const { prefixes } = await this.list(modelsPrefix(this.prefix), '/');
    const pairs: Pair[] = [];
    for (const folder of prefixes) {
      const key = `${folder}${LATEST_FILE}`;
      const bytes = await this.getOrNull(key);
      if (bytes !== null) {
        pairs.push(this.parseJson(key, bytes, LatestPointerSchema).pair);
      }
    }
    return pairs.sort();
  }

  /** Versions of `pair` whose manifest was written (complete publishes), oldest first. */
  public async listVersions(pair: Pair): Promise<string[]> {
    const folders = await this.scan(this.checkPair(pair));
    return sortVersions([...folders].filter(([, folder]) => folder.complete).map(([version]) => version));
  }

  /**
   * Deletes every object of the versions that are not among the newest `keep` complete ones, never
   * the version latest.json points at, and returns the deleted versions, oldest first. Folders without
   * a manifest (failed runs) are deleted once a newer version is complete; newer ones may be a
   * publish still in progress and are left alone. With keep >= 2 a reader that read the previous
   * latest.json just before a publish can still fetch its files.
   */
  public async pruneVersions(pair: Pair, keep: number): Promise<string[]> {
    if (!Number.isInteger(keep) || keep < 1) {
      throw new RangeError(`keep must be a positive integer, got ${keep}`);
    }
    const checkedPair = this.checkPair(pair);
    // Read first: a missing or broken pointer must stop the prune, never widen it.
    const latest = await this.readLatest(checkedPair);
    const folders = await this.scan(checkedPair);
    const complete = sortVersions(
      [...folders].filter(([, folder]) => folder.complete).map(([version]) => version),
    );
    const kept = new Set(complete.slice(-keep));
    if (latest !== null) {
      kept.add(latest.version);
    }
    const newestComplete = complete.at(-1);
    const doomed = sortVersions(
      [...folders]
        .filter(
          ([version, folder]) =>
            !kept.has(version) &&
            (folder.complete || (newestComplete !== undefined && version < newestComplete)),
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

  private async writeLatest(pair: Pair, version: string): Promise<LatestPointer> {
    const pointer: LatestPointer = {
      pair,
      version,
      manifest_key: manifestKey(this.prefix, pair, version),
      published_at: this.clock().toISOString(),
    };
    // A single PUT replaces the object whole: readers see the old pointer or the new one, never a mix.
    await this.put(latestKey(this.prefix, pair), encodeJson(pointer), JSON_TYPE, undefined, 'no-cache');
    return pointer;
  }

  /** Version folders under the pair, with their keys; latest.json and stray keys are ignored. */
  private async scan(pair: Pair): Promise<Map<string, VersionFolder>> {
    const base = pairPrefix(this.prefix, pair);
    const { keys } = await this.list(base);
    const folders = new Map<string, VersionFolder>();
    for (const key of keys) {
      const [version, ...rest] = key.slice(base.length).split('/');
      if (version === undefined || !isVersion(version) || rest.length === 0) {
        continue;
      }
      const folder = folders.get(version) ?? { keys: [], complete: false };
      folder.keys.push(key);
      if (rest.join('/') === MANIFEST_FILE) {
        folder.complete = true;
      }
      folders.set(version, folder);
    }
    return folders;
  }

  private async list(prefix: string, delimiter?: string): Promise<{ keys: string[]; prefixes: string[] }> {
    const keys: string[] = [];
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
        if (item.Key !== undefined) keys.push(item.Key);
      }
      for (const item of page.CommonPrefixes ?? []) {
        if (item.Prefix !== undefined) prefixes.add(item.Prefix);
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return { keys, prefixes: [...prefixes] };
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
