import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { logicalIdOf, synthCached } from '../support.js';

describe('ModelStore', () => {
  it('versions, encrypts and blocks public access to the model bucket, and logs access to it', () => {
    // Arrange
    const { template } = synthCached();

    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'models/' }),
    });
  });

  it('expires noncurrent versions after the configured days', () => {
    const { template } = synthCached({ noncurrentVersionDays: 14 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 14 }, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('refuses any request without TLS', () => {
    // Arrange
    const { template } = synthCached();
    const bucket = logicalIdOf(template, 'AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
    });

    // Assess
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('keeps the buckets when the stack is deleted, by default', () => {
    const { template } = synthCached();
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    assert.equal(buckets.length, 2);
    for (const bucket of buckets) {
      assert.equal(bucket['DeletionPolicy'], 'Retain');
      assert.equal(bucket['UpdateReplacePolicy'], 'Retain');
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('empties and deletes the buckets with the stack when retainBucket is false', () => {
    const { template } = synthCached({ retainBucket: false });
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      assert.equal(bucket['DeletionPolicy'], 'Delete');
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });
});
