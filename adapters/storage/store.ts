import type { S3Client } from '@aws-sdk/client-s3';
import type { ArtifactName, OptionalArtifactName } from '../../core/artifacts/layout.js';
import type { LatestPointer, Manifest } from '../../core/artifacts/schemas.js';
import { StorageConfigSchema, type StorageConfig } from '../../core/config/schema.js';
import type { Pair } from '../../core/market/pair.js';
import { issueLines } from '../../core/validation/issues.js';
import { signingKeyFrom, verifyingKeyFrom } from '../signing/from-spec.js';
import type { SigningKey, VerifyingKey } from '../signing/signing-key.js';
import { createS3Client, type S3ClientOptions } from './client.js';
import { ObjectIo } from './object-io.js';
import { Publisher, type PublishInput, type PublishOutcome } from './publication.js';
import { Retention, type PruneOptions } from './retention.js';
import { VersionReader, type LatestListing } from './version-reader.js';

export interface ArtifactStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** '' or a path ending in '/', as in StorageConfig. */
  readonly prefix: string;
  /** Time source for created_at and published_at; default the system clock. */
  readonly clock?: () => Date;
  /** Keys per ListObjectsV2 page; default (and S3's maximum) 1000. Smaller only to test paging. */
  readonly listPageSize?: number;
  /**
   * The model signing key: a SigningKey publishes (and verifies), a VerifyingKey only verifies. Without
   * one the store can list, prune and read pointers, but reads no version and publishes none.
   */
  readonly key?: SigningKey | VerifyingKey;
}

/** What fromConfig makes of storage.signing_key: the training job signs, serving only verifies. */
export type KeyUse = 'sign' | 'verify';

/**
 * Models in S3, published so that a reader never sees half a version, behind one small facade. Each part
 * owns one concern: ObjectIo the S3 calls, Publisher the publication protocol (files, manifest, pointer),
 * VersionReader reading and validating a version, Retention which versions are kept. This is where they
 * are created, with their options; callers see only the methods below.
 */
export class ArtifactStore {
  public readonly client: S3Client;
  public readonly bucket: string;
  public readonly prefix: string;
  private readonly objects: ObjectIo;
  private readonly reader: VersionReader;
  private readonly publisher: Publisher;
  private readonly retention: Retention;

  public constructor(options: ArtifactStoreOptions) {
    const bucket = StorageConfigSchema.shape.bucket.safeParse(options.bucket);
    if (!bucket.success) {
      throw new RangeError(`Invalid bucket "${options.bucket}": ${issueLines(bucket.error).join('; ')}`);
    }
    const prefix = StorageConfigSchema.shape.prefix.safeParse(options.prefix);
    if (!prefix.success) {
      throw new RangeError(`Invalid prefix "${options.prefix}": ${issueLines(prefix.error).join('; ')}`);
    }
    const listPageSize = options.listPageSize ?? 1000;
    if (!Number.isInteger(listPageSize) || listPageSize < 1 || listPageSize > 1000) {
      throw new RangeError(`listPageSize must be an integer from 1 to 1000, got ${listPageSize}`);
    }
    const clock = options.clock ?? (() => new Date());
    this.client = options.client;
    this.bucket = bucket.data;
    this.prefix = prefix.data;
    this.objects = new ObjectIo(this.client, this.bucket, listPageSize);
    const key = options.key ?? null;
    this.reader = new VersionReader(this.objects, this.prefix, key);
    this.publisher = new Publisher(
      this.objects,
      this.reader,
      this.prefix,
      clock,
      isSigningKey(key) ? key : null,
    );
    this.retention = new Retention(this.objects, this.reader, this.prefix, clock);
  }

  /**
   * A store, and its own client, for the configured bucket, with the key of storage.signing_key for
   * `keyUse` (default: verify, what serving does). SigningKeyError when the key is not configured.
   */
  public static fromConfig(
    storage: StorageConfig,
    options: S3ClientOptions & { readonly clock?: () => Date; readonly keyUse?: KeyUse } = {},
  ): ArtifactStore {
    const { clock, keyUse, ...clientOptions } = options;
    const client = createS3Client(storage, clientOptions);
    return new ArtifactStore({
      client,
      bucket: storage.bucket,
      prefix: storage.prefix,
      key: keyUse === 'sign' ? signingKeyFrom(storage.signing_key) : verifyingKeyFrom(storage.signing_key),
      ...(clock === undefined ? {} : { clock }),
    });
  }

  /** publishVersion(), for callers that only want the manifest. */
  public async publish(input: PublishInput): Promise<Manifest> {
    return (await this.publishVersion(input)).manifest;
  }

  /** Publisher.publishVersion: files, manifest, then latest.json unless a newer version is live. */
  public publishVersion(input: PublishInput): Promise<PublishOutcome> {
    return this.publisher.publishVersion(input);
  }

  /** Publisher.promote: points latest.json at an already published, complete version. */
  public promote(pair: Pair, version: string): Promise<LatestPointer> {
    return this.publisher.promote(pair, version);
  }

  /** The version served for `pair`, or null when nothing was ever published for it. */
  public readLatest(pair: Pair): Promise<LatestPointer | null> {
    return this.reader.readLatest(pair);
  }

  /** The manifest of one version; ArtifactNotFoundError when that version has none. */
  public readManifest(pair: Pair, version: string): Promise<Manifest> {
    return this.reader.readManifest(pair, version);
  }

  /** The bytes of one file of a manifest, checked against its recorded size and sha256. */
  public readFile(manifest: Manifest, name: ArtifactName): Promise<Uint8Array> {
    return this.reader.readFile(manifest, name);
  }

  /** An optional file's bytes, checked like readFile's; null when the version was published without it. */
  public readOptionalFile(manifest: Manifest, name: OptionalArtifactName): Promise<Uint8Array | null> {
    return this.reader.readOptionalFile(manifest, name);
  }

  /** Every latest.json under the prefix: the readable pointers, and the unreadable ones apart. */
  public listLatest(): Promise<LatestListing> {
    return this.reader.listLatest();
  }

  /** Pairs that have a readable latest.json, as written in it, sorted. Unreadable ones are skipped. */
  public async listPairs(): Promise<Pair[]> {
    return (await this.listLatest()).pointers.map((pointer) => pointer.pair).sort();
  }

  /** Versions of `pair` whose manifest was written (complete publishes), oldest first. */
  public listVersions(pair: Pair): Promise<string[]> {
    return this.retention.listVersions(pair);
  }

  /** Retention.pruneVersions: deletes what can no longer be served or become live. */
  public pruneVersions(pair: Pair, keep: number, options: PruneOptions = {}): Promise<string[]> {
    return this.retention.pruneVersions(pair, keep, options);
  }

  /** Resolves when the bucket answers; StorageUnavailableError otherwise. For readiness checks. */
  public ping(): Promise<void> {
    return this.objects.ping();
  }
}

function isSigningKey(key: SigningKey | VerifyingKey | null): key is SigningKey {
  return key !== null && typeof (key as Partial<SigningKey>).sign === 'function';
}
