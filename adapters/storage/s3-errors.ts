import { S3ServiceException } from '@aws-sdk/client-s3';
import { ArtifactError, ArtifactNotFoundError, StorageUnavailableError } from './errors.js';

export interface S3ErrorContext {
  /** The S3 operation, for example `GetObject`. */
  readonly operation: string;
  readonly bucket: string;
  readonly key?: string;
}

/** Error codes Node and the SDK use for a request that never got an answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** 4xx answers that mean "not now" rather than "never". */
const TRANSIENT_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'TooManyRequests',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** The network error behind an SDK error, looking a few causes deep (the SDK wraps some). */
function isNetworkError(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) {
    return false;
  }
  const code = codeOf(error);
  if (NETWORK_NAMES.has(error.name) || (code !== undefined && NETWORK_CODES.has(code))) {
    return true;
  }
  return isNetworkError(error.cause, depth + 1);
}

function where(context: S3ErrorContext): string {
  return context.key === undefined ? `s3://${context.bucket}` : `s3://${context.bucket}/${context.key}`;
}

/**
 * Turns whatever the SDK threw into an ArtifactError subclass, keeping the original as `cause` (for
 * logs) and out of the message's first words (for callers): a missing key becomes
 * ArtifactNotFoundError; network errors, timeouts, throttling, 5xx and a missing bucket become
 * StorageUnavailableError (try again later, or after the bucket is created); anything else (403,
 * a bad request) is a plain ArtifactError, a configuration or programming problem.
 */
export function toArtifactError(error: unknown, context: S3ErrorContext): ArtifactError {
  if (error instanceof ArtifactError) {
    return error;
  }
  const target = where(context);
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    const statusText = status === undefined ? '' : ` (HTTP ${status})`;
    const message = error.message !== '' && error.message !== error.name ? `: ${error.message}` : '';
    const detail = `${error.name}${statusText}${message}`;
    if (error.name === 'NoSuchBucket') {
      return new StorageUnavailableError(
        `${context.operation} ${target}: bucket ${context.bucket} does not exist`,
        context.operation,
        context.key,
        { cause: error },
      );
    }
    if (error.name === 'NoSuchKey' || (status === 404 && context.key !== undefined)) {
      return new ArtifactNotFoundError(`${target} does not exist`, context.key ?? '', { cause: error });
    }
    if (status === 404) {
      // HeadBucket answers a bare 404 (no body, so no code) for a missing bucket.
      return new StorageUnavailableError(
        `${context.operation} ${target}: bucket ${context.bucket} does not exist`,
        context.operation,
        context.key,
        { cause: error },
      );
    }
    if ((status !== undefined && status >= 500) || status === 429 || TRANSIENT_CODES.has(error.name)) {
      return new StorageUnavailableError(
        `${context.operation} ${target} failed: storage answered ${detail}`,
        context.operation,
        context.key,
        { cause: error },
      );
    }
    return new ArtifactError(`${context.operation} ${target} was refused: ${detail}`, { cause: error });
  }
  if (isNetworkError(error)) {
    const reason = error instanceof Error ? (codeOf(error) ?? error.name) : 'network error';
    return new StorageUnavailableError(
      `${context.operation} ${target} failed: storage unreachable (${reason})`,
      context.operation,
      context.key,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ArtifactError(`${context.operation} ${target} failed: ${reason}`, { cause: error });
}

/**
 * True when a conditional write (If-Match / If-None-Match) was refused because the object changed or
 * already exists: 412 PreconditionFailed, or 409 ConditionalRequestConflict (S3's answer when two
 * conditional writes of one key race). Looks through the ArtifactError the store wraps SDK errors in.
 */
export function isConditionFailed(error: unknown): boolean {
  const inner = error instanceof ArtifactError && error.cause !== undefined ? error.cause : error;
  if (!(inner instanceof S3ServiceException)) return false;
  const status = inner.$metadata.httpStatusCode;
  return (
    status === 412 ||
    inner.name === 'PreconditionFailed' ||
    (status === 409 && inner.name === 'ConditionalRequestConflict')
  );
}
