import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_CREDENTIALS, createS3Client, localCredentialsFor } from '../../../adapters/storage/client.js';

describe('localCredentialsFor', () => {
  it('uses the local keys for an endpoint when the environment names no credentials', () => {
    assert.deepEqual(localCredentialsFor({ endpoint: 'http://127.0.0.1:9000' }, {}), LOCAL_CREDENTIALS);
    assert.deepEqual(
      localCredentialsFor({ endpoint: 'http://127.0.0.1:9000' }, { AWS_PROFILE: '' }),
      LOCAL_CREDENTIALS,
    );
  });

  it('leaves credentials to the default chain when the environment names some, or for AWS S3', () => {
    assert.equal(
      localCredentialsFor({ endpoint: 'http://127.0.0.1:9000' }, { AWS_ACCESS_KEY_ID: 'minioadmin' }),
      undefined,
    );
    assert.equal(
      localCredentialsFor({ endpoint: 'http://127.0.0.1:9000' }, { AWS_PROFILE: 'dev' }),
      undefined,
    );
    assert.equal(localCredentialsFor({ endpoint: null }, {}), undefined);
  });
});

describe('createS3Client', () => {
  it('addresses an endpoint path-style, with the local keys and the retries asked for', async () => {
    const client = createS3Client(
      { endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1' },
      { env: {}, maxAttempts: 2 },
    );
    try {
      assert.equal(client.config.forcePathStyle, true);
      assert.equal(await client.config.region(), 'eu-west-1');
      assert.equal(await client.config.maxAttempts(), 2);
      const credentials = await client.config.credentials();
      assert.equal(credentials.accessKeyId, LOCAL_CREDENTIALS.accessKeyId);
    } finally {
      client.destroy();
    }
  });

  it('talks to AWS S3 virtual-host style with three attempts when no endpoint is set', async () => {
    const client = createS3Client({ endpoint: null, region: 'us-east-1' });
    try {
      assert.notEqual(client.config.forcePathStyle, true);
      assert.equal(await client.config.maxAttempts(), 3);
    } finally {
      client.destroy();
    }
  });
});
