import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../../infra/lib/paths.js';
import { folderStatements, logicalIdOf, policyStatements, synthCached } from '../support.js';

const MODELS_BUCKET = { VersioningConfiguration: { Status: 'Enabled' } };

/** A deployment whose conf/ puts the models under a prefix. */
const PREFIXED = 'storage:\n  prefix: forecast/\n';

/** The training job's role. */
function jobRole(template: ReturnType<typeof synthCached>['template']): string {
  return logicalIdOf(template, 'AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })],
    },
    Description: Match.stringLikeRegexp('^Training job'),
  });
}

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

  it('lets the instances out on HTTPS only (S3 by its prefix list, the rest on 0.0.0.0/0:443), nothing in', () => {
    // Arrange
    const { template } = synthCached();
    const group = logicalIdOf(template, 'AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Training instances'),
    });
    const lookup = logicalIdOf(template, 'Custom::AWS', {
      Create: Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([Match.stringLikeRegexp('describeManagedPrefixLists')]),
        ]),
      }),
    });

    // Assess
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Training instances'),
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      ],
      SecurityGroupIngress: Match.absent(),
    });
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map(
      (resource) => resource['Properties'] as Record<string, unknown>,
    );
    assert.deepEqual(egress, [
      {
        Description: 'HTTPS to S3 through the gateway endpoint',
        DestinationPrefixListId: { 'Fn::GetAtt': [lookup, 'PrefixLists.0.PrefixListId'] },
        FromPort: 443,
        GroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
        IpProtocol: 'tcp',
        ToPort: 443,
      },
    ]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  it("looks the S3 prefix list up by the gateway endpoint's service name, at deploy time", () => {
    const { template } = synthCached();
    const [lookup] = Object.values(template.findResources('Custom::AWS'));
    const create = JSON.stringify(lookup?.['Properties']['Create']);
    assert.match(create, /\\"Name\\":\\"prefix-list-name\\",\\"Values\\":\[\\"com.amazonaws./);
    assert.match(create, /\.s3\\"\]/);
  });

  it('has no interface endpoint by default (they are billed by the hour)', () => {
    synthCached().template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
  });

  it('with interfaceEndpoints, reaches Logs, ECR, ECS and KMS through endpoints, and says so in its egress', () => {
    // Arrange
    const { template } = synthCached({ interfaceEndpoints: true });

    // Assess
    const services = Object.values(
      template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    ).map((endpoint) => {
      const name = JSON.stringify(endpoint['Properties']['ServiceName']);
      return /\.([a-z.-]+)"\]\]\}$/.exec(name)?.[1] ?? name;
    });
    assert.deepEqual(services.sort(), [
      'ecr.api',
      'ecr.dkr',
      'ecs',
      'ecs-agent',
      'ecs-telemetry',
      'kms',
      'logs',
    ]);
    for (const endpoint of Object.values(
      template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    )) {
      assert.equal(endpoint['Properties']['PrivateDnsEnabled'], true);
    }
    // The endpoints take HTTPS from the training instances only, and the instances say where they go.
    const jobGroup = logicalIdOf(template, 'AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Training instances'),
    });
    const endpointGroup = logicalIdOf(template, 'AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Interface endpoints'),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [jobGroup, 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [jobGroup, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
      FromPort: 443,
    });
    for (const endpoint of Object.values(
      template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    )) {
      assert.deepEqual(endpoint['Properties']['SecurityGroupIds'], [
        { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
      ]);
    }
  });
});

describe('TrainingPipeline: instances', () => {
  it('launches every instance from a template that requires IMDSv2 with a hop limit of 1', () => {
    // Arrange
    const { template } = synthCached();
    const launchTemplate = logicalIdOf(template, 'AWS::EC2::LaunchTemplate');

    // Assess
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      }),
    });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ LaunchTemplate: { LaunchTemplateId: { Ref: launchTemplate } } }),
    });
  });

  it('uses the same template on CPU instances', () => {
    const { template } = synthCached({ compute: 'cpu' });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({
        Ec2Configuration: [{ ImageType: 'ECS_AL2023' }],
        LaunchTemplate: { LaunchTemplateId: { Ref: logicalIdOf(template, 'AWS::EC2::LaunchTemplate') } },
      }),
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
  it('asks for 1 GPU, the configured vCPUs and memory, 2 attempts but none after a partial run, and a timeout', () => {
    const { template } = synthCached();
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      Type: 'container',
      ContainerProperties: Match.objectLike({
        ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '1' }]),
      }),
      // retried on anything but a bad configuration (2) or a run where some pairs published (3)
      RetryStrategy: {
        Attempts: 2,
        EvaluateOnExit: [
          { Action: 'EXIT', OnExitCode: '2' },
          { Action: 'EXIT', OnExitCode: '3' },
        ],
      },
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

  it('gives the pipeline the bucket, the configuration it reads everything else from, JSON logs and the signing key', () => {
    // Arrange
    const { template } = synthCached({}, PREFIXED);
    const bucket = logicalIdOf(template, 'AWS::S3::Bucket', MODELS_BUCKET);
    const key = logicalIdOf(template, 'AWS::KMS::Key', { KeyUsage: 'SIGN_VERIFY' });

    // Assess
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        // No PAIRS, MODEL_PREFIX or schedule: the job reads them from conf/{MUR_ENV}, as this stack did.
        Environment: [
          { Name: 'MODEL_BUCKET', Value: { Ref: bucket } },
          { Name: 'MUR_ENV', Value: 'stack-test' },
          { Name: 'LOG_FORMAT', Value: 'json' },
          {
            Name: 'MODEL_SIGNING_KEY',
            Value: { 'Fn::Join': ['', ['kms:', { 'Fn::GetAtt': [key, 'Arn'] }]] },
          },
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
    // tfjs-node-gpu's recorded subtree and the script that lays it over the lock; not the recorder.
    assert.ok(existsSync(join(staged, 'training-image', 'lock', 'merge.ts')));
    assert.ok(existsSync(join(staged, 'training-image', 'lock', 'tfjs-node-gpu.json')));
    assert.equal(existsSync(join(staged, 'training-image', 'lock', 'record.ts')), false);
    assert.equal(
      existsSync(join(staged, 'node_modules')),
      false,
      'node_modules must not be in the build context',
    );
    assert.notEqual(REPO_ROOT, staged);
  });

  it('lets the job role write only under the models and runs prefixes, and sign with the key (ECDSA_SHA_256 only)', () => {
    // Arrange
    const { template } = synthCached({}, PREFIXED);
    const bucket = logicalIdOf(template, 'AWS::S3::Bucket', MODELS_BUCKET);
    const key = logicalIdOf(template, 'AWS::KMS::Key', { KeyUsage: 'SIGN_VERIFY' });

    // Act
    const statements = policyStatements(template, jobRole(template));

    // Assess
    assert.deepEqual(statements, [
      ...folderStatements(bucket, 'forecast/models/', ['s3:DeleteObject', 's3:GetObject', 's3:PutObject']),
      // Run records: written once, never deleted (they outlive the versions retention prunes).
      ...folderStatements(bucket, 'forecast/runs/', ['s3:GetObject', 's3:PutObject']),
      { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: { 'Fn::GetAtt': [key, 'Arn'] } },
      {
        Action: 'kms:Sign',
        Condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [key, 'Arn'] },
      },
    ]);
  });
});

describe('ModelSigning', () => {
  it('is an asymmetric P-256 signing key with an alias, kept with the bucket', () => {
    // Arrange
    const { template } = synthCached();
    const key = logicalIdOf(template, 'AWS::KMS::Key', { KeyUsage: 'SIGN_VERIFY' });

    // Assess
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        EnableKeyRotation: false,
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/CryptoForecast/model-signing',
      TargetKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
  });

  it("denies kms:Sign in the key's own policy to every principal but the job role", () => {
    // Arrange
    const { template } = synthCached();

    // Act
    const [key] = Object.values(
      template.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } }),
    );
    const statements = (key?.['Properties'] as { KeyPolicy: { Statement: Record<string, unknown>[] } })
      .KeyPolicy.Statement;

    // Assess
    assert.deepEqual(
      statements.find((statement) => statement['Sid'] === 'DenySignButPublisher'),
      {
        Sid: 'DenySignButPublisher',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:Sign',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [jobRole(template), 'Arn'] } } },
      },
    );
    // The account can still manage the key (and repair its policy).
    assert.ok(
      statements.some((statement) => statement['Effect'] === 'Allow' && statement['Action'] === 'kms:*'),
    );
  });
});

describe('TrainingPipeline: image', () => {
  it("pushes the image to its own repository (the synthesizer's), not the bootstrap one", () => {
    // Arrange
    const { outdir, stack } = synthCached();
    const manifest = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { destinations: Record<string, { repositoryName: string }> }>;
    };

    // Assess
    const destinations = Object.values(manifest.dockerImages).flatMap((image) =>
      Object.values(image.destinations),
    );
    assert.deepEqual(
      destinations.map((destination) => destination.repositoryName),
      ['cryptoforecast-training'],
    );
  });

  it('scans every push, keeps tags immutable, and lets the CDK publishing role push', () => {
    // Arrange
    const { imageTemplate } = synthCached();

    // Assess
    imageTemplate.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'cryptoforecast-training',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
      LifecyclePolicy: Match.objectLike({
        LifecyclePolicyText: Match.stringLikeRegexp('imageCountMoreThan'),
      }),
      RepositoryPolicyText: {
        Statement: [
          Match.objectLike({
            Effect: 'Allow',
            Principal: {
              AWS: {
                'Fn::Sub': [
                  'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-${Qualifier}-image-publishing-role-${AWS::AccountId}-${AWS::Region}',
                  { Qualifier: 'hnb659fds' },
                ],
              },
            },
            Action: Match.arrayWith(['ecr:InitiateLayerUpload', 'ecr:PutImage']),
          }),
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('deploys the repository stack before the stack that pushes to it', () => {
    const { stack, app } = synthCached();
    const images = app.node.findChild(`${stack.stackName}Images`);
    assert.ok(stack.dependencies.includes(images as typeof stack));
  });

  it('passes the binding sha256 to the image build only when it is set', () => {
    const buildArgs = (overrides: Record<string, unknown>): unknown => {
      const { outdir, stack } = synthCached(overrides);
      const manifest = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
        dockerImages: Record<string, { source: { dockerBuildArgs?: Record<string, string> } }>;
      };
      return Object.values(manifest.dockerImages)[0]?.source.dockerBuildArgs;
    };
    assert.equal(buildArgs({}), undefined);
    assert.deepEqual(buildArgs({ tfjsBindingSha256: 'ab'.repeat(32) }), {
      TFJS_BINDING_SHA256: 'ab'.repeat(32),
    });
  });

  it('warns at synth while the binding sha256 is missing, and not once it is set', () => {
    const warnings = (overrides: Record<string, unknown>): string[] =>
      synthCached(overrides)
        .stack.node.findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === 'aws:cdk:warning')
        .map((entry) => String(entry.data))
        .filter((text) => text.includes('tfjsBindingSha256'));
    assert.equal(warnings({}).length, 1);
    assert.deepEqual(warnings({ tfjsBindingSha256: 'ab'.repeat(32) }), []);
  });
});

describe('TrainingPipeline: schedule', () => {
  it('submits one job per period, training every pair, with no array properties', () => {
    // Arrange
    const { template } = synthCached();
    const queue = logicalIdOf(template, 'AWS::Batch::JobQueue');
    const definition = logicalIdOf(template, 'AWS::Batch::JobDefinition');

    // Assess: one job, not an array (the pairs share one scale network, which array children cannot)
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Description: 'Train every pair (BTC/USDT, ETH/USDT, CHZ/USDT) on rate(1 hour)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'JobQueueArn'] },
          BatchParameters: {
            JobDefinition: { Ref: definition },
            JobName: 'crypto-forecast-training',
            ArrayProperties: Match.absent(),
          },
        }),
      ],
    });
  });

  it('follows the configured schedule and pairs, still as one job', () => {
    const { template } = synthCached(
      {},
      "pairs: [BTC/USDT, ETH/USDT]\nschedule:\n  expression: 'cron(0 */6 * * ? *)'\n  period_minutes: 360\n",
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 */6 * * ? *)',
      Description: 'Train every pair (BTC/USDT, ETH/USDT) on cron(0 */6 * * ? *)',
      Targets: [Match.objectLike({ BatchParameters: Match.objectLike({ ArrayProperties: Match.absent() }) })],
    });
  });

  it('submits the same single job for a single pair', () => {
    const { template } = synthCached({}, 'pairs: [BTC/USDT]\n');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [
        Match.objectLike({
          BatchParameters: { JobDefinition: Match.anyValue(), JobName: 'crypto-forecast-training' },
        }),
      ],
    });
  });
});
