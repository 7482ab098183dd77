import { Annotations, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Config } from '../../core/config/schema.js';
import { TRAINING_EXIT_CODES } from '../../core/metrics/published-log.js';
import { instanceTypesOf, type InfraConfig } from './config.js';
import { MODEL_SIGNING_KEY_ENV, type ModelSigning } from './model-signing.js';
import type { ModelStore } from './model-store.js';
import { acknowledge, managedPolicyFinding } from './nag.js';
import { trainingJobRequest } from './training-job.js';

export interface TrainingPipelineProps {
  readonly config: InfraConfig;
  /** conf/{config.confEnv}: the pairs and the schedule. */
  readonly conf: Config;
  readonly store: ModelStore;
  /** The key the job signs each manifest with. */
  readonly signing: ModelSigning;
  /** The Docker build context: the repository root (the image copies conf/, core/ and training-image/src). */
  readonly buildContext: string;
}

/** Attempts of a training job: one retry covers a lost instance or a passing exchange outage. */
export const TRAINING_JOB_ATTEMPTS = 2;

/**
 * The AWS services the instances and the job call besides S3, reached through interface endpoints when
 * `interfaceEndpoints` is on: the awslogs driver, the image pull, the ECS agent, and the job's kms:Sign.
 */
export const INTERFACE_ENDPOINT_SERVICES = {
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
  EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
  EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
} as const;

/** The training image's build argument that carries the binding's sha256 (training-image/Dockerfile). */
export const BINDING_SHA256_BUILD_ARG = 'TFJS_BINDING_SHA256';

/**
 * The scheduled training: a VPC without NAT gateways, an AWS Batch compute environment that scales to zero,
 * a job queue, the job definition of the training image, and the EventBridge rule that submits one job per
 * period training every pair (one process: the point models, then one scale network shared across the pairs).
 */
export class TrainingPipeline extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly securityGroup: ec2.SecurityGroup;
  /** IMDSv2 only, hop limit 1, on every instance the compute environment launches. */
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** The interface endpoints, with `interfaceEndpoints` on. */
  public readonly interfaceEndpoints: readonly ec2.InterfaceVpcEndpoint[];
  public readonly computeEnvironment: batch.ManagedEc2EcsComputeEnvironment;
  public readonly jobQueue: batch.JobQueue;
  public readonly jobDefinition: batch.EcsJobDefinition;
  public readonly jobRole: iam.Role;
  /** Where the jobs' stdout and stderr (JSON lines) go; the staleness metric is read from it. */
  public readonly logGroup: logs.LogGroup;
  public readonly schedule: events.Rule;

  public constructor(scope: Construct, id: string, props: TrainingPipelineProps) {
    super(scope, id);
    const { config, conf, store, signing } = props;
    const gpu = config.compute === 'gpu';
    const removalPolicy = RemovalPolicy.DESTROY;

    // The jobs only talk to the exchange and to S3 (plus ECR, ECS and CloudWatch Logs): public subnets
    // and a free S3 gateway endpoint do it without the hourly cost of NAT gateways.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    // Rejected traffic only: it is what a reviewer needs, at a fraction of the cost of all traffic.
    this.vpc.addFlowLog('RejectedTraffic', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogs', { retention: config.logRetentionDays, removalPolicy }),
      ),
    });

    // What the job reaches, all on 443: S3 (the gateway endpoint, by its prefix list), the AWS APIs the
    // instances call (CloudWatch Logs, ECR, ECS, KMS; through interface endpoints when they are on), and the
    // exchange. A security group filters by address, not by name, so the exchange needs 0.0.0.0/0:443,
    // which also allows any other HTTPS host: only an egress proxy or AWS Network Firewall with a domain
    // allow-list would close that (docs/security.md, "What the job can reach").
    this.securityGroup = new ec2.SecurityGroup(this, 'JobSecurityGroup', {
      vpc: this.vpc,
      description: 'Training instances: HTTPS out (exchange, S3, ECR, ECS, CloudWatch Logs, KMS), nothing in',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.prefixList(s3PrefixListId(this)),
      ec2.Port.tcp(443),
      'HTTPS to S3 through the gateway endpoint',
    );
    if (config.interfaceEndpoints) {
      // One group for every endpoint: HTTPS in from the training instances, nothing else.
      const endpointGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'Interface endpoints of the training VPC: HTTPS from the training instances only',
        allowAllOutbound: false,
      });
      endpointGroup.addIngressRule(
        this.securityGroup,
        ec2.Port.tcp(443),
        'HTTPS from the training instances',
      );
      this.securityGroup.addEgressRule(
        endpointGroup,
        ec2.Port.tcp(443),
        'HTTPS to the interface endpoints (CloudWatch Logs, ECR, ECS, KMS)',
      );
      this.interfaceEndpoints = Object.entries(INTERFACE_ENDPOINT_SERVICES).map(([name, service]) =>
        this.vpc.addInterfaceEndpoint(name, {
          service,
          subnets: { subnetType: ec2.SubnetType.PUBLIC },
          privateDnsEnabled: true,
          securityGroups: [endpointGroup],
          open: false,
        }),
      );
    } else {
      this.interfaceEndpoints = [];
    }
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      config.interfaceEndpoints
        ? 'HTTPS to the exchange (any host: a security group cannot filter by name)'
        : 'HTTPS to the exchange and the AWS APIs (any host: a security group cannot filter by name)',
    );

    // The instance metadata service answers only token (IMDSv2) requests, and a token's reply travels one
    // hop: nothing forwarded through the host (a bridged container, a proxy) gets a token. Batch runs ECS
    // jobs with host networking, so the job's own process is not one hop away: see docs/security.md.
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      requireImdsv2: true,
      httpEndpoint: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
    });

    const types = instanceTypesOf(config);
    this.computeEnvironment = new batch.ManagedEc2EcsComputeEnvironment(this, 'ComputeEnvironment', {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [this.securityGroup],
      launchTemplate: this.launchTemplate,
      // Families (g5) let Batch pick the size that fits the job; types (g5.xlarge) pin it.
      instanceClasses: types
        .filter((type) => !type.includes('.'))
        .map((family) => family as ec2.InstanceClass),
      instanceTypes: types.filter((type) => type.includes('.')).map((type) => new ec2.InstanceType(type)),
      useOptimalInstanceClasses: false,
      minvCpus: 0,
      maxvCpus: config.maxVcpus,
      spot: config.spot,
      images: [
        {
          imageType: gpu ? batch.EcsMachineImageType.ECS_AL2023_NVIDIA : batch.EcsMachineImageType.ECS_AL2023,
        },
      ],
      // An infrastructure update (instance types, Spot) also moves the instances to Batch's latest AMI.
      updateToLatestImageVersion: true,
    });
    acknowledge(
      this.computeEnvironment,
      managedPolicyFinding('service-role/AmazonEC2ContainerServiceforEC2Role'),
      'The policy AWS Batch documents for the ECS container instance role; AWS keeps it in step with what ' +
        'the ECS agent needs.',
    );

    this.jobQueue = new batch.JobQueue(this, 'JobQueue', {
      computeEnvironments: [{ computeEnvironment: this.computeEnvironment, order: 1 }],
      priority: 1,
    });

    this.logGroup = new logs.LogGroup(this, 'JobLogs', { retention: config.logRetentionDays, removalPolicy });

    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Training job: read and write models under the models prefix, nothing else',
    });
    store.grantWriteModels(this.jobRole);
    // The record of every run, published, refused or failed (training-image/src/runs/).
    store.grantWriteRuns(this.jobRole);
    signing.grantSign(this.jobRole);
    if (config.tfjsBindingSha256 === '') {
      Annotations.of(this).addWarningV2(
        'crypto-forecast:tfjsBindingSha256',
        'tfjsBindingSha256 is empty: `cdk deploy` stops when it builds the training image, before any ' +
          'change to the stack. Record the sha256 of the tfjs-node-gpu binding in cdk.json first ' +
          '(docs/training-image.md, "Pinning every download").',
      );
    }

    const container = new batch.EcsEc2ContainerDefinition(this, 'Container', {
      // Synth only stages the build context; Docker builds and pushes the image at deploy time.
      image: ecs.ContainerImage.fromAsset(props.buildContext, {
        file: 'training-image/Dockerfile',
        // The GPU and CPU instances are x86_64, whatever machine runs the deploy.
        platform: Platform.LINUX_AMD64,
        // Laid over .dockerignore, which keeps only what the image copies: CDK stages that selection into
        // cdk.out and builds there, so the Dockerfile must be in it (CDK only re-includes a root Dockerfile).
        exclude: ['!training-image/Dockerfile'],
        // The one checksum the image cannot carry itself (no copy could be checked when it was pinned).
        ...(config.tfjsBindingSha256 === ''
          ? {}
          : { buildArgs: { [BINDING_SHA256_BUILD_ARG]: config.tfjsBindingSha256 } }),
      }),
      cpu: config.jobVcpus,
      memory: Size.mebibytes(config.jobMemoryMiB),
      ...(gpu ? { gpu: 1 } : {}),
      environment: {
        // The bucket this stack creates; pairs, schedule and prefix come from the image's conf/ (MUR_ENV),
        // the file this stack read.
        MODEL_BUCKET: store.bucket.bucketName,
        MUR_ENV: config.confEnv,
        LOG_FORMAT: 'json',
        // kms:<key ARN>: the job signs each manifest with it (ECDSA_SHA_256).
        [MODEL_SIGNING_KEY_ENV]: signing.environmentValue,
      },
      jobRole: this.jobRole,
      logging: ecs.LogDriver.awsLogs({ logGroup: this.logGroup, streamPrefix: 'training' }),
    });
    acknowledge(
      container,
      'AwsSolutions-IAM5[Resource::*]',
      'The execution role pulls the training image from its ECR repository: ecr:GetAuthorizationToken ' +
        'has no resource but "*"; the pull itself is limited to that repository.',
    );

    this.jobDefinition = new batch.EcsJobDefinition(this, 'JobDefinition', {
      container,
      retryAttempts: TRAINING_JOB_ATTEMPTS,
      // One job trains every pair: a run where some pairs published must not train them all again, and a
      // bad configuration fails the same way twice. Anything else (the instance, an outage) is retried.
      retryStrategies: Object.values(TRAINING_EXIT_CODES).map((code) =>
        batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onExitCode: String(code) })),
      ),
      timeout: Duration.minutes(config.jobTimeoutMinutes),
      propagateTags: true,
    });

    const request = trainingJobRequest(conf.pairs);
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Train every pair (${conf.pairs.join(', ')}) on ${conf.schedule.expression}`,
      schedule: events.Schedule.expression(conf.schedule.expression),
      targets: [
        new targets.BatchJob(
          this.jobQueue.jobQueueArn,
          this.jobQueue,
          this.jobDefinition.jobDefinitionArn,
          this.jobDefinition,
          {
            // One job, not an array: the pairs share one scale network, which array children cannot.
            jobName: request.jobName,
            // A submission EventBridge could not make within an hour is dropped: the next period's run is due.
            maxEventAge: Duration.hours(1),
            retryAttempts: 3,
          },
        ),
      ],
    });
  }
}

/**
 * The id of the region's S3 prefix list (the addresses the gateway endpoint routes), looked up at deploy
 * time: the stack is environment-agnostic, so synth cannot know it. Its name is the gateway endpoint's
 * service name (`com.amazonaws.{region}.s3`).
 */
function s3PrefixListId(scope: Construct): string {
  const lookup = new cr.AwsCustomResource(scope, 'S3PrefixList', {
    onUpdate: {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: {
        Filters: [{ Name: 'prefix-list-name', Values: [ec2.GatewayVpcEndpointAwsService.S3.name] }],
      },
      physicalResourceId: cr.PhysicalResourceId.of('s3-prefix-list'),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  });
  acknowledge(
    lookup,
    'AwsSolutions-IAM5[Resource::*]',
    'ec2:DescribeManagedPrefixLists has no resource-level permissions; the lookup only reads the id of ' +
      "the region's S3 prefix list.",
  );
  return lookup.getResponseField('PrefixLists.0.PrefixListId');
}
