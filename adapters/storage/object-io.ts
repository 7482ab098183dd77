import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ArtifactError, ArtifactNotFoundError, ArtifactTooLargeError } from './errors.js';
import { toArtifactError } from './s3-errors.js';

/** A conditional write: replace only this ETag, or create only if nothing is there. */
export type WriteCondition = { readonly ifMatch: string } | { readonly ifNoneMatch: true };

export interface PutOptions {
  readonly contentType: string;
  readonly metadata?: Record<string, string>;
  readonly cacheControl?: string;
  readonly condition?: WriteCondition;
}

/** The most bytes a read may return, and the bound's name for the refusal's message. */
export interface ByteLimit {
  readonly bytes: number;
  readonly bound: string;
  /** The error for an object over the limit; ArtifactTooLargeError by default. */
  readonly over?: (key: string, bytes: number) => Error;
}

/** One page-walked listing: keys with their last-modified times, and common prefixes. */
export interface Listing {
  readonly keys: string[];
  /** Last-modified time of each key (ms), Infinity when the store gave none. */
  readonly modified: number[];
  readonly prefixes: string[];
}

/**
 * The bucket's objects, as the store uses them: each S3 call made once, every SDK error mapped to the
 * store's own (toArtifactError), no raw SDK error let out. No knowledge of versions or manifests here.
 */
export class ObjectIo {
  public constructor(
    public readonly client: S3Client,
    public readonly bucket: string,
    private readonly listPageSize: number,
  ) {}

  /** The object's bytes; ArtifactTooLargeError, before its body is read, when it is over `limit`. */
  public async get(key: string, limit: ByteLimit): Promise<Uint8Array> {
    return (await this.getObject(key, limit)).bytes;
  }

  public async getOrNull(key: string, limit: ByteLimit): Promise<Uint8Array | null> {
    return this.orNull(this.get(key, limit));
  }

  public async getWithEtag(
    key: string,
    limit: ByteLimit,
  ): Promise<{ bytes: Uint8Array; etag: string | null } | null> {
    return this.orNull(this.getObject(key, limit));
  }

  private async getObject(
    key: string,
    limit: ByteLimit,
  ): Promise<{ bytes: Uint8Array; etag: string | null }> {
    // The body is read inside send(): a connection cut mid-body is a storage error like any other.
    return this.send('GetObject', key, async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (response.Body === undefined) {
        throw new ArtifactError(`GetObject s3://${this.bucket}/${key} returned no body`);
      }
      const declared = response.ContentLength;
      if (declared !== undefined && declared > limit.bytes) {
        // Not read: the connection is dropped with the body still in it.
        const body = response.Body as { destroy?: () => void };
        body.destroy?.();
        throw overLimit(key, declared, limit);
      }
      const bytes = await response.Body.transformToByteArray();
      if (bytes.byteLength > limit.bytes) throw overLimit(key, bytes.byteLength, limit);
      return { bytes, etag: response.ETag ?? null };
    });
  }

  /** Size and recorded sha256 (object metadata) of a key, or null when it does not exist. */
  public async headOrNull(
    key: string,
  ): Promise<{ bytes: number | undefined; sha256: string | undefined } | null> {
    return this.orNull(
      this.send('HeadObject', key, async () => {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
        return { bytes: head.ContentLength, sha256: head.Metadata?.['sha256'] };
      }),
    );
  }

  public async exists(key: string): Promise<boolean> {
    return (await this.headOrNull(key)) !== null;
  }

  public async put(key: string, body: Uint8Array, options: PutOptions): Promise<void> {
    const { condition } = options;
    await this.send('PutObject', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          ...(options.metadata === undefined ? {} : { Metadata: options.metadata }),
          ...(options.cacheControl === undefined ? {} : { CacheControl: options.cacheControl }),
          ...(condition === undefined
            ? {}
            : 'ifMatch' in condition
              ? { IfMatch: condition.ifMatch }
              : { IfNoneMatch: '*' }),
        }),
      ),
    );
  }

  public async delete(key: string): Promise<void> {
    await this.send('DeleteObject', key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  public async list(prefix: string, delimiter?: string): Promise<Listing> {
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

  /** Resolves when the bucket answers; StorageUnavailableError otherwise. */
  public async ping(): Promise<void> {
    await this.send('HeadBucket', undefined, () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.bucket })),
    );
  }

  private async orNull<T>(call: Promise<T>): Promise<T | null> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
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

function overLimit(key: string, bytes: number, limit: ByteLimit): Error {
  return limit.over?.(key, bytes) ?? new ArtifactTooLargeError(key, bytes, limit.bytes, limit.bound);
}
