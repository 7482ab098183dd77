import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { StorageConfig } from '../../core/config/schema.js';

/**
 * Defaults chosen for small objects (a model is about a megabyte) read on a Lambda cold start:
 * fail over to the SDK's retry quickly instead of holding an invocation for the SDK's default
 * (no timeout at all).
 */
export const S3_CLIENT_DEFAULTS = {
  maxAttempts: 3,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
} as const;

/**
 * For serving: each attempt bounded to a few seconds and one retry, so that a hung store releases a
 * background refresh or a cold load within about 10 s instead of the 90 s of the defaults.
 */
export const SERVING_S3_OPTIONS = {
  maxAttempts: 2,
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 4_000,
} as const;

/**
 * The keys s3rver (the local server) accepts. Any S3-compatible server started for tests or the
 * local stack is expected to accept them too; MinIO users set AWS_ACCESS_KEY_ID/SECRET instead.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Variables that make the SDK's default chain find credentials without a profile file. */
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
] as const;

export interface S3ClientOptions {
  /** Where to look for AWS credential variables; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Attempts per request, the first included (SDK standard retry: backoff with jitter). */
  readonly maxAttempts?: number;
  readonly connectionTimeoutMs?: number;
  /** Whole request and response; a breach throws (and is retried) rather than only warning. */
  readonly requestTimeoutMs?: number;
}

/**
 * Static local credentials when the store is an S3-compatible endpoint and the environment names no
 * credentials; otherwise undefined, which leaves the SDK's default chain in charge (environment,
 * profile, web identity, container and instance roles). Without this fallback, `npm start` against the
 * local server would fail on a laptop with no AWS setup, or reach for the instance metadata service.
 */
export function localCredentialsFor(
  storage: Pick<StorageConfig, 'endpoint'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): typeof LOCAL_CREDENTIALS | undefined {
  if (storage.endpoint === null) {
    return undefined;
  }
  const named = CREDENTIAL_VARIABLES.some((name) => (env[name] ?? '') !== '');
  return named ? undefined : LOCAL_CREDENTIALS;
}

/**
 * An S3 client for the configured store: AWS S3 when `endpoint` is null, otherwise that endpoint
 * with path-style addressing (bucket in the path, not the host name, which local servers and MinIO
 * need).
 */
export function createS3Client(
  storage: Pick<StorageConfig, 'endpoint' | 'region'>,
  options: S3ClientOptions = {},
): S3Client {
  const config: S3ClientConfig = {
    region: storage.region,
    maxAttempts: options.maxAttempts ?? S3_CLIENT_DEFAULTS.maxAttempts,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? S3_CLIENT_DEFAULTS.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? S3_CLIENT_DEFAULTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
  if (storage.endpoint !== null) {
    config.endpoint = storage.endpoint;
    config.forcePathStyle = true;
    // Recent SDKs add CRC32 checksums to every upload; S3-compatible servers lag behind on those
    // (MinIO before 2025, s3rver never checks them). Only send them where the API requires one.
    // Integrity does not depend on it: manifest.json holds the sha256 that readers verify.
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
    const credentials = localCredentialsFor(storage, options.env);
    if (credentials !== undefined) {
      config.credentials = { ...credentials };
    }
  }
  return new S3Client(config);
}
