import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../../infra/lib/paths.js';
import { arnWithSuffix, logicalIdOf, policyStatements, synthCached } from '../support.js';

const MODELS_BUCKET = { VersioningConfiguration: { Status: 'Enabled' } };

/** A deployment whose conf/ puts the models under a prefix. */
const PREFIXED = 'storage:\n  prefix: forecast/\n';

describe('TrainingPipeline: network', () => {
  it('has no NAT gateway: public subnets and a gateway endpoint for S3', () => {
    const { template } = synthCached();
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
    });
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      assert.equal((subnet['Properties'] as Record<string, unknown>)['MapPublicIpOnLaunch'], true);
    }
  });

  it('lets the instances out on HTTPS only, and nothing in', () => {
    const { template } = synthCached();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Training instances'),
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      ],
      SecurityGroupIngress: Match.absent(),
    });
  });
});

describe('TrainingPipeline: compute', () => {
  it('runs on GPU instances (g4dn, g5) with the NVIDIA AMI, scaling to zero', () => {
    const { template } = synthCached();
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      Type: 'managed',
      ComputeResources: Match.objectLike({
        Type: 'EC2',
        MinvCpus: 0,
        MaxvCpus: 32,
        InstanceTypes: ['g4dn', 'g5'],
        Ec2Configuration: [{ ImageType: 'ECS_AL2023_NVIDIA' }],
      }),
    });
  });

  it('uses Spot capacity when spot is on', () => {
    const { template } = synthCached({ spot: true });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({
        Type: 'SPOT',
        AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED',
        MinvCpus: 0,
      }),
    });
  });

  it('switches to CPU instances, the plain AMI and no GPU requirement in cpu mode', () => {
    // Arrange
    const { template } = synthCached({ compute: 'cpu' });

    // Assess
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({
        InstanceTypes: ['c6i', 'm6i'],
        Ec2Configuration: [{ ImageType: 'ECS_AL2023' }],
        MinvCpus: 0,
      }),
    });
    const [definition] = Object.values(template.findResources('AWS::Batch::JobDefinition'));
    const requirements = (
      definition?.['Properties'] as { ContainerProperties: { ResourceRequirements: { Type: string }[] } }
    ).ContainerProperties.ResourceRequirements;
    assert.deepEqual(requirements.map((r) => r.Type).sort(), ['MEMORY', 'VCPU']);
  });

  it('takes instance types from configuration', () => {
    const { template } = synthCached({ gpuInstanceTypes: 'g5.xlarge,g6' });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ InstanceTypes: ['g5.xlarge', 'g6'] }),
    });
  });

  it('sends jobs to a queue on that compute environment', () => {
    const { template } = synthCached();
    const environment = logicalIdOf(template, 'AWS::Batch::ComputeEnvironment');
    template.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [
        { ComputeEnvironment: { 'Fn::GetAtt': [environment, 'ComputeEnvironmentArn'] }, Order: 1 },
      ],
    });
  });
});

describe('TrainingPipeline: job definition', () => {
  it('asks for 1 GPU, the configured vCPUs and memory, 2 attempts and a timeout', () => {
    const { template } = synthCached();
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      Type: 'container',
      ContainerProperties: Match.objectLike({
        ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '1' }]),
      }),
      RetryStrategy: { Attempts: 2 },
      Timeout: { AttemptDurationSeconds: 55 * 60 },
      PropagateTags: true,
    });
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        ResourceRequirements: Match.arrayWith([{ Type: 'VCPU', Value: '4' }]),
      }),
    });
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        ResourceRequirements: Match.arrayWith([{ Type: 'MEMORY', Value: '6144' }]),
      }),
    });
  });

  it('gives the pipeline the bucket, the configuration it reads everything else from, and JSON logs', () => {
    // Arrange
    const { template } = synthCached({}, PREFIXED);
    const bucket = logicalIdOf(template, 'AWS::S3::Bucket', MODELS_BUCKET);

    // Assess
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        // No PAIRS, MODEL_PREFIX or schedule: the job reads them from conf/{MUR_ENV}, as this stack did.
        Environment: [
          { Name: 'MODEL_BUCKET', Value: { Ref: bucket } },
          { Name: 'MUR_ENV', Value: 'stack-test' },
          { Name: 'LOG_FORMAT', Value: 'json' },
        ],
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      }),
    });
  });

  it('builds the image from training-image/Dockerfile for linux/amd64, with the repository as context', () => {
    // Arrange
    const { outdir, stack } = synthCached();
    const manifest = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string; platform: string } }>;
    };

    // Assess
    const images = Object.values(manifest.dockerImages);
    assert.equal(images.length, 1);
    assert.equal(images[0]?.source.dockerFile, 'training-image/Dockerfile');
    assert.equal(images[0]?.source.platform, 'linux/amd64');
    const staged = join(outdir, images[0]?.source.directory ?? '');
    assert.ok(readFileSync(join(staged, 'training-image', 'Dockerfile'), 'utf8').includes('ENTRYPOINT'));
    assert.ok(readFileSync(join(staged, 'package-lock.json'), 'utf8').length > 0);
    assert.equal(
      existsSync(join(staged, 'node_modules')),
      false,
      'node_modules must not be in the build context',
    );
    assert.notEqual(REPO_ROOT, staged);
  });

  it('lets the job role write only under the models prefix', () => {
    // Arrange
    const { template } = synthCached({}, PREFIXED);
    const bucket = logicalIdOf(template, 'AWS::S3::Bucket', MODELS_BUCKET);
    const role = logicalIdOf(template, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })],
      },
      Description: Match.stringLikeRegexp('^Training job'),
    });

    // Act
    const statements = policyStatements(template, role);

    // Assess
    assert.deepEqual(statements, [
      {
        Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Effect: 'Allow',
        Resource: arnWithSuffix(bucket, '/forecast/models/*'),
      },
      {
        Action: 's3:ListBucket',
        Condition: { StringLikeIfExists: { 's3:prefix': ['forecast/models/*'] } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
      },
    ]);
  });
});

describe('TrainingPipeline: schedule', () => {
  it('submits one array job per period, with one child per pair', () => {
    // Arrange
    const { template } = synthCached();
    const queue = logicalIdOf(template, 'AWS::Batch::JobQueue');
    const definition = logicalIdOf(template, 'AWS::Batch::JobDefinition');

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'JobQueueArn'] },
          BatchParameters: {
            JobDefinition: { Ref: definition },
            JobName: 'crypto-forecast-training',
            ArrayProperties: { Size: 3 },
          },
        }),
      ],
    });
  });

  it('follows the configured schedule and pairs', () => {
    const { template } = synthCached(
      {},
      "pairs: [BTC/USDT, ETH/USDT]\nschedule:\n  expression: 'cron(0 */6 * * ? *)'\n  period_minutes: 360\n",
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 */6 * * ? *)',
      Targets: [Match.objectLike({ BatchParameters: Match.objectLike({ ArrayProperties: { Size: 2 } }) })],
    });
  });

  it('submits a single job for a single pair, since Batch refuses arrays of one', () => {
    const { template } = synthCached({}, 'pairs: [BTC/USDT]\n');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ BatchParameters: Match.objectLike({ ArrayProperties: Match.absent() }) })],
    });
  });
});
