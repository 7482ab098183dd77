import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import {
  ARTIFACT_FILES,
  OPTIONAL_ARTIFACT_FILES,
  artifactKey,
  latestKey,
  manifestKey,
} from '../../../core/artifacts/layout.js';
import { logicalIdOf, synthCached } from '../support.js';

/** A deployment whose conf/ puts the models under a prefix. */
const PREFIXED = 'storage:\n  prefix: forecast/\n';

/** The training job's role. */
function jobRole(template: Template): string {
  return logicalIdOf(template, 'AWS::IAM::Role', { Description: Match.stringLikeRegexp('^Training job') });
}

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

/** The bucket policy's statements of the model bucket. */
function modelBucketStatements(template: Template): Statement[] {
  const bucket = logicalIdOf(template, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
  const policies = Object.values(
    template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucket } } }),
  );
  assert.equal(policies.length, 1);
  return (policies[0]?.['Properties'] as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument
    .Statement;
}

type Statement = Record<string, unknown> & { Sid?: string };

function statement(template: Template, sid: string): Statement {
  const found = modelBucketStatements(template).find((s) => s.Sid === sid);
  assert.ok(found, `no statement ${sid}`);
  return found;
}

/** The key part of a rendered object ARN (`{"Fn::Join":["",[<bucket arn>,"/models/*"]]}` -> `models/*`). */
function keyPattern(resource: unknown): string {
  const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return String(parts.at(-1)).replace(/^\//, '');
}

/** IAM's ARN wildcards: `*` any run of characters (`/` included), `?` one character. */
function iamMatches(pattern: string, key: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(key);
}

const ACCOUNT_ROOT = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
};

describe('ModelStore: only the training job publishes', () => {
  it('denies writes and deletes under the models prefix to every principal but the job role and the account root', () => {
    // Arrange
    const { template } = synthCached({}, PREFIXED);
    const role = jobRole(template);

    // Act
    const deny = statement(template, 'DenyModelWritesButPublisher');

    // Assess
    assert.deepEqual(deny['Effect'], 'Deny');
    assert.deepEqual(deny['Principal'], { AWS: '*' });
    assert.deepEqual(deny['Action'], ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject']);
    assert.equal(keyPattern(deny['Resource']), 'forecast/models/*');
    assert.deepEqual(deny['Condition'], {
      ArnNotLike: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [role, 'Arn'] }, ACCOUNT_ROOT] },
    });
  });

  it('denies object writes only: bucket-level actions (CloudFormation, the policy itself) are untouched', () => {
    const { template } = synthCached();
    for (const s of modelBucketStatements(template).filter((s) => s.Sid !== undefined)) {
      const actions = ([] as string[]).concat(s['Action'] as string | string[]);
      assert.ok(
        actions.every((action) => /^s3:(PutObject|DeleteObject|DeleteObjectVersion)$/.test(action)),
        s.Sid,
      );
    }
  });

  it("exempts CDK's bucket-emptying helper when the bucket is deletable, or deleting the stack would fail", () => {
    // Arrange
    const { template } = synthCached({ retainBucket: false });
    const emptier = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProviderRole'),
    );

    // Assess
    assert.ok(emptier, 'the helper role');
    const exempt = (
      statement(template, 'DenyModelWritesButPublisher')['Condition'] as Record<
        string,
        Record<string, unknown[]>
      >
    )['ArnNotLike']?.['aws:PrincipalArn'];
    assert.deepEqual(exempt?.[2], { 'Fn::GetAtt': [emptier, 'Arn'] });
  });

  it('lets the operators of modelOperatorArns move a pointer, and write nothing else', () => {
    // Arrange
    const operator = 'arn:aws:iam::123456789012:role/Operator';
    const { template } = synthCached({ modelOperatorArns: [operator] });

    // Act
    const publishers = statement(template, 'DenyModelWritesButPublisher');
    const pointers = statement(template, 'DenyOperatorWritesButPointers');

    // Assess
    const exempt = (publishers['Condition'] as Record<string, Record<string, unknown[]>>)['ArnNotLike']?.[
      'aws:PrincipalArn'
    ];
    assert.equal(exempt?.at(-1), operator);
    assert.equal(pointers['Effect'], 'Deny');
    assert.deepEqual(pointers['Condition'], { ArnLike: { 'aws:PrincipalArn': [operator] } });
    assert.equal(keyPattern(pointers['NotResource']), 'models/*/latest.json');
    assert.equal(pointers['Resource'], undefined);
  });

  it('has no operator statement when there are no operators', () => {
    const sids = modelBucketStatements(synthCached().template).map((s) => s.Sid);
    assert.ok(!sids.includes('DenyOperatorWritesButPointers'));
  });
});

describe('ModelStore: version files are write-once', () => {
  it('refuses a PutObject into a version folder without If-None-Match, except for the multipart calls', () => {
    // Arrange
    const { template } = synthCached({}, PREFIXED);

    // Act
    const deny = statement(template, 'DenyVersionOverwrite');

    // Assess
    assert.equal(deny['Effect'], 'Deny');
    assert.deepEqual(deny['Principal'], { AWS: '*' });
    assert.equal(deny['Action'], 's3:PutObject');
    assert.equal(keyPattern(deny['Resource']), 'forecast/models/*/*/*');
    assert.deepEqual(deny['Condition'], {
      Null: { 's3:if-none-match': 'true' },
      Bool: { 's3:ObjectCreationOperation': 'true' },
    });
  });

  it("matches every file of a version, and never a pair's latest.json", () => {
    // Arrange
    const pattern = keyPattern(
      statement(synthCached({}, PREFIXED).template, 'DenyVersionOverwrite')['Resource'],
    );
    const version = '20261126T071446Z-3754f2a';

    // Assess
    for (const name of [...ARTIFACT_FILES, ...OPTIONAL_ARTIFACT_FILES]) {
      assert.ok(iamMatches(pattern, artifactKey('forecast/', 'BTC/USDT', version, name)), name);
    }
    assert.ok(iamMatches(pattern, manifestKey('forecast/', 'BTC/USDT', version)));
    assert.ok(!iamMatches(pattern, latestKey('forecast/', 'BTC/USDT')));
    assert.ok(!iamMatches(pattern, latestKey('forecast/', 'CHZ/USDT')));
  });
});

describe('iamMatches (this test file)', () => {
  it('treats * as any run of characters, slashes included', () => {
    assert.ok(iamMatches('models/*/*/*', 'models/a/b/c/d'));
    assert.ok(!iamMatches('models/*/*/*', 'models/a/b'));
    assert.ok(iamMatches('models/*/latest.json', 'models/a/latest.json'));
  });
});
