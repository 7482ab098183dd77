import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import {
  ArtifactError,
  ArtifactNotFoundError,
  StorageUnavailableError,
} from '../../../adapters/storage/errors.js';
import { toArtifactError } from '../../../adapters/storage/s3-errors.js';

// Errors shaped as the SDK builds them from a response; the real server paths are in store.test.ts.
function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} from the server`,
  });
}

const context = { operation: 'GetObject', bucket: 'models', key: 'models/btc_usdt/latest.json' };

describe('toArtifactError', () => {
  it('maps a missing key to ArtifactNotFoundError with the key', () => {
    const error = toArtifactError(
      new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }),
      context,
    );
    assert.ok(error instanceof ArtifactNotFoundError);
    assert.equal(error.key, context.key);
    assert.ok(error.cause instanceof NoSuchKey);
  });

  it('maps 5xx, throttling and a missing bucket to StorageUnavailableError', () => {
    for (const [name, status] of [
      ['InternalError', 500],
      ['ServiceUnavailable', 503],
      ['SlowDown', 503],
      ['TooManyRequests', 429],
      ['NoSuchBucket', 404],
    ] as const) {
      const error = toArtifactError(serviceError(name, status), context);
      assert.ok(error instanceof StorageUnavailableError, name);
      assert.equal(error.operation, 'GetObject');
    }
  });

  it('maps a network error, even wrapped, to StorageUnavailableError', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = toArtifactError(new Error('request failed', { cause: reset }), context);
    assert.ok(error instanceof StorageUnavailableError);
  });

  it('maps refusals and anything unknown to a plain ArtifactError that names the operation', () => {
    const denied = toArtifactError(serviceError('AccessDenied', 403), context);
    assert.equal(denied.constructor, ArtifactError);
    assert.match(
      denied.message,
      /^GetObject s3:\/\/models\/models\/btc_usdt\/latest\.json was refused: AccessDenied \(HTTP 403\)/,
    );

    const odd = toArtifactError(new TypeError('bad input'), context);
    assert.equal(odd.constructor, ArtifactError);
    assert.ok(odd.cause instanceof TypeError);
  });

  it('passes an ArtifactError through unchanged', () => {
    const original = new ArtifactNotFoundError('gone', 'k');
    assert.equal(toArtifactError(original, context), original);
  });
});
