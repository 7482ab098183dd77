import { Aws, CustomResourceProviderBase, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LATEST_FILE, modelsPrefix } from '../../core/artifacts/layout.js';
import { runsPrefix } from '../../core/runs/layout.js';
import { acknowledge, arnWildcardFinding } from './nag.js';

/** What writing a model means to S3: creating or replacing an object, or deleting one or one of its versions. */
export const MODEL_WRITE_ACTIONS = ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'] as const;

export interface ModelStoreProps {
  /** Key prefix before models/ (storage.prefix of conf/): '' or a path ending in '/'. */
  readonly prefix: string;
  /** Keep the buckets and their objects when the stack is deleted. */
  readonly retain: boolean;
  /** Days a replaced or deleted model file is kept as a noncurrent version. */
  readonly noncurrentVersionDays: number;
  /** Days the server access logs are kept. */
  readonly accessLogDays: number;
}

/**
 * The artifact bucket the training job publishes to and the functions read from
 * (`{prefix}models/{base}_{quote}/...`, see core/artifacts/layout.ts), and its access log bucket.
 */
export class ModelStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  /** `{prefix}` as MODEL_PREFIX gives it to the pipeline and the functions. */
  public readonly prefix: string;
  /** `{prefix}models/`: the published models, which retention prunes. */
  public readonly modelsPrefix: string;
  /** `{prefix}runs/`: a record of every training run, beside the models and outside retention's reach. */
  public readonly runsPrefix: string;

  public constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.modelsPrefix = modelsPrefix(props.prefix);
    this.runsPrefix = runsPrefix(props.prefix);
    const removal = props.retain
      ? { removalPolicy: RemovalPolicy.RETAIN }
      : // A versioned bucket with objects cannot be deleted, so deletion must empty it first.
        { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true };

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      // Server access log delivery only supports SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogDays) }],
      ...removal,
    });
    acknowledge(
      this.accessLogBucket,
      'AwsSolutions-S1',
      'This bucket receives the model bucket access logs; logging it into itself would loop.',
    );

    this.bucket = new s3.Bucket(this, 'Models', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'models/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          // latest.json is overwritten every run and old versions are deleted by the pipeline's retention:
          // their previous versions are kept long enough to roll back, then expire.
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      ...removal,
    });
  }

  /**
   * The bucket policy that makes the job's role the only publisher, whatever else an IAM policy in the
   * account allows (an administrator's `s3:*` included):
   *
   * - `DenyModelWritesButPublisher`: PutObject, DeleteObject and DeleteObjectVersion under
   *   `{prefix}models/` are refused to every principal whose `aws:PrincipalArn` is not the job's role, the
   *   account root (break-glass), CDK's bucket-emptying helper when the bucket is deletable, or an
   *   operator of `operatorArns`. Only object writes under the prefix are denied: CloudFormation's own
   *   bucket management (configuration, the bucket policy itself, deleting the empty bucket) is bucket-level
   *   and untouched, and an administrator can still replace this policy (S3 always lets the root do it).
   * - `DenyOperatorWritesButPointers`: an operator may only move a pair's latest.json (a rollback).
   * - `DenyVersionOverwrite`: inside a version folder (`{prefix}models/{pair}/{version}/...`), a PutObject
   *   must carry `If-None-Match: *`, so that a published file can never be replaced by another upload. A
   *   pair's latest.json (`{prefix}models/{pair}/latest.json`) stays replaceable: the resource is the models
   *   prefix followed by `*`, `/*` and `/*`, and since IAM's `*` spans `/` it matches keys with at least two
   *   more slashes after the prefix, never a pointer.
   *   `s3:ObjectCreationOperation` keeps the deny off the multipart calls that cannot carry the header.
   */
  public protectModels(props: {
    readonly publisher: iam.IRole;
    readonly operatorArns: readonly string[];
  }): void {
    const models = this.bucket.arnForObjects(`${this.modelsPrefix}*`);
    // CDK's helper that empties a deletable bucket before CloudFormation deletes it (retainBucket=false).
    const emptier = Stack.of(this).node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
    const exempt = [
      props.publisher.roleArn,
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`,
      ...(emptier instanceof CustomResourceProviderBase ? [emptier.roleArn] : []),
      ...props.operatorArns,
    ];
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyModelWritesButPublisher',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...MODEL_WRITE_ACTIONS],
        resources: [models],
        conditions: { ArnNotLike: { 'aws:PrincipalArn': exempt } },
      }),
    );
    if (props.operatorArns.length > 0) {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyOperatorWritesButPointers',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...MODEL_WRITE_ACTIONS],
          notResources: [this.bucket.arnForObjects(`${this.modelsPrefix}*/${LATEST_FILE}`)],
          conditions: { ArnLike: { 'aws:PrincipalArn': [...props.operatorArns] } },
        }),
      );
    }
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyVersionOverwrite',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${this.modelsPrefix}*/*/*`)],
        conditions: {
          Null: { 's3:if-none-match': 'true' },
          Bool: { 's3:ObjectCreationOperation': 'true' },
        },
      }),
    );
  }

  /** Read models: GetObject under `{prefix}models/`, and listing (see listStatement). */
  public grantReadModels(grantee: iam.IGrantable): iam.Grant {
    const read = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${this.modelsPrefix}*`)],
    });
    this.acknowledgeObjectWildcard(grantee);
    return read.combine(this.grantListModels(grantee));
  }

  /**
   * Publish models: read, write and delete under `{prefix}models/` (the pipeline reads latest.json, writes a
   * version, then deletes versions beyond storage.keep_versions). Nothing outside the prefix.
   */
  public grantWriteModels(grantee: iam.IGrantable): iam.Grant {
    const write = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(`${this.modelsPrefix}*`)],
    });
    this.acknowledgeObjectWildcard(grantee);
    return write.combine(this.grantListModels(grantee));
  }

  /** Read the run records: GetObject and listing under `{prefix}runs/` (GET /runs and /heldout). */
  public grantReadRuns(grantee: iam.IGrantable): iam.Grant {
    const read = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${this.runsPrefix}*`)],
    });
    this.acknowledgeRunsWildcard(grantee);
    return read.combine(this.grantListUnder(grantee, this.runsPrefix));
  }

  /**
   * Record runs: read and write under `{prefix}runs/`, never delete. A record is written once
   * (If-None-Match) and outlives the version it describes: retention deletes only under models/.
   */
  public grantWriteRuns(grantee: iam.IGrantable): iam.Grant {
    const write = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${this.runsPrefix}*`)],
    });
    this.acknowledgeRunsWildcard(grantee);
    return write.combine(this.grantListUnder(grantee, this.runsPrefix));
  }

  /**
   * ListBucket where a listing names a prefix under `{prefix}models/`. `IfExists` because S3 also checks
   * ListBucket, without any prefix, to answer 404 rather than 403 for a missing key: the store tells "no
   * model yet" (a pair not trained, latest.json absent) from "access denied" by that status.
   */
  private grantListModels(grantee: iam.IGrantable): iam.Grant {
    return this.grantListUnder(grantee, this.modelsPrefix);
  }

  private grantListUnder(grantee: iam.IGrantable, prefix: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLikeIfExists: { 's3:prefix': [`${prefix}*`] } },
    });
  }

  private acknowledgeRunsWildcard(grantee: iam.IGrantable): void {
    if (!(grantee instanceof Construct)) return;
    acknowledge(
      grantee,
      arnWildcardFinding(this.bucket.node.defaultChild as s3.CfnBucket, `/${this.runsPrefix}*`),
      `Object access is limited to ${this.runsPrefix}* in the model bucket: the job creates a folder per ` +
        'subject and run at run time, so the keys cannot be named ahead.',
    );
  }

  private acknowledgeObjectWildcard(grantee: iam.IGrantable): void {
    if (!(grantee instanceof Construct)) return;
    acknowledge(
      grantee,
      arnWildcardFinding(this.bucket.node.defaultChild as s3.CfnBucket, `/${this.modelsPrefix}*`),
      `Object access is limited to ${this.modelsPrefix}* in the model bucket: the pipeline creates a folder ` +
        'per pair and version at run time, so the keys cannot be named ahead.',
    );
  }
}
