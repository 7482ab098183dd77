import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { ROUTES, type Route } from '../../functions/routes.js';
import type { Config } from '../../core/config/schema.js';
import { schedulePeriodSeconds } from '../../core/config/schedule.js';
import type { InfraConfig } from './config.js';
import { ForecastApi } from './forecast-api.js';
import { ModelSigning } from './model-signing.js';
import { ModelStore } from './model-store.js';
import { acknowledge, managedPolicyFinding } from './nag.js';
import { Monitoring } from './monitoring.js';
import { REPO_ROOT } from './paths.js';
import { STACK_OUTPUTS } from './stack-outputs.js';
import { TrainingPipeline } from './training-pipeline.js';

export { STACK_OUTPUTS };

export interface ForecastStackProps extends StackProps {
  readonly config: InfraConfig;
  /** conf/{config.confEnv}: pairs, schedule, staleness, CORS origins and the model prefix come from here. */
  readonly conf: Config;
  /** The route table; default functions/routes.ts. */
  readonly routes?: readonly Route[];
  /** The repository root; default the one this file is in. */
  readonly projectDir?: string;
  /** The ECR repository the training image is pushed to (TrainingImageStack; the synthesizer names it). */
  readonly imageRepositoryName: string;
}

/** The whole product: storage, the signing key, scheduled training, the API and its monitoring. */
export class ForecastStack extends Stack {
  public readonly store: ModelStore;
  public readonly signing: ModelSigning;
  public readonly training: TrainingPipeline;
  public readonly api: ForecastApi;
  public readonly monitoring: Monitoring;

  public constructor(scope: Construct, id: string, props: ForecastStackProps) {
    super(scope, id, {
      description: 'Hourly crypto price forecasting: training on AWS Batch, API on Lambda',
      ...props,
    });
    const { config, conf } = props;
    const projectDir = props.projectDir ?? REPO_ROOT;

    this.store = new ModelStore(this, 'ModelStore', {
      prefix: conf.storage.prefix,
      retain: config.retainBucket,
      noncurrentVersionDays: config.noncurrentVersionDays,
      accessLogDays: Math.max(config.logRetentionDays, 30),
    });
    this.signing = new ModelSigning(this, 'ModelSigning', {
      aliasName: `alias/${this.stackName}/model-signing`,
      retain: config.retainBucket,
    });
    this.training = new TrainingPipeline(this, 'Training', {
      config,
      conf,
      store: this.store,
      signing: this.signing,
      buildContext: projectDir,
    });
    // The job's role is the only publisher (and the operators of modelOperatorArns may move pointers).
    this.store.protectModels({ publisher: this.training.jobRole, operatorArns: config.modelOperatorArns });
    const period = schedulePeriodSeconds(conf.schedule);
    this.api = new ForecastApi(this, 'Api', {
      config,
      conf,
      store: this.store,
      signing: this.signing,
      routes: props.routes ?? ROUTES,
      projectDir,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmEmail: config.alarmEmail,
      pairs: conf.pairs,
      schedulePeriodSeconds: period,
      stalenessPeriods: conf.serving.stale_after_periods,
      jobQueue: this.training.jobQueue,
      jobLogGroup: this.training.logGroup,
      functions: this.api.functions,
      api: this.api.api,
      imageRepositoryName: props.imageRepositoryName,
    });

    // CDK's own helpers (bucket auto-delete, default security group lock-down) are Lambda functions that
    // CDK writes and updates with aws-cdk-lib; their runtime and managed policy are not ours to choose.
    for (const helper of this.node.findAll().filter((c) => /^Custom::.*Provider$/.test(c.node.id))) {
      acknowledge(
        helper,
        managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole'),
        'A CDK-managed custom resource provider: the policy only lets it write its logs.',
      );
      acknowledge(
        helper,
        'AwsSolutions-L1',
        'A CDK-managed custom resource provider: aws-cdk-lib chooses and updates its runtime.',
      );
    }

    // The AwsCustomResource singleton that looks up the S3 prefix list (training security group).
    const lookup = this.node.tryFindChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
    );
    if (lookup !== undefined) {
      acknowledge(
        lookup,
        managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole'),
        "CDK's AwsCustomResource function (a deploy-time lookup): the policy only lets it write its logs.",
      );
      acknowledge(
        lookup,
        'AwsSolutions-L1',
        "CDK's AwsCustomResource function: aws-cdk-lib chooses and updates its runtime.",
      );
    }

    const GET_KEY = 'aws apigateway get-api-key --api-key ID --include-value';
    // What an operator reads after `cdk deploy`: each output's value and what to do with it.
    const outputs: Record<keyof typeof STACK_OUTPUTS, readonly [value: string, description: string]> = {
      apiUrl: [this.api.api.url, 'Base URL of the API (stage v1)'],
      apiKeyId: [this.api.apiKey.keyId, `Id of the first API key: ${GET_KEY}`],
      usagePlanId: [
        this.api.usagePlan.usagePlanId,
        'Default tier usage plan: aws apigateway create-usage-plan-key --usage-plan-id ID ...',
      ],
      operatorApiKeyId: [this.api.operatorApiKey.keyId, `Id of the operator tier key: ${GET_KEY}`],
      operatorUsagePlanId: [
        this.api.operatorUsagePlan.usagePlanId,
        'Operator tier usage plan (higher quota and throttle)',
      ],
      modelSigningKeyArn: [
        this.signing.key.keyArn,
        'KMS key (ECC_NIST_P256) that signs every published manifest; only the training job may sign',
      ],
      bucketName: [this.store.bucket.bucketName, 'Artifact bucket'],
      modelPrefix: [this.store.modelsPrefix, 'Where models are published in the bucket'],
      pairs: [conf.pairs.join(','), 'Pairs trained and served'],
      jobQueueName: [this.training.jobQueue.jobQueueName, 'AWS Batch job queue'],
      jobQueueArn: [this.training.jobQueue.jobQueueArn, 'AWS Batch job queue ARN'],
      jobDefinitionName: [this.training.jobDefinition.jobDefinitionName, 'Training job definition'],
      jobDefinitionArn: [this.training.jobDefinition.jobDefinitionArn, 'Training job definition ARN'],
      jobLogGroup: [this.training.logGroup.logGroupName, 'Training job logs (JSON lines)'],
      alarmTopicArn: [this.monitoring.topic.topicArn, 'SNS topic of every alarm'],
    };
    for (const [name, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, STACK_OUTPUTS[name as keyof typeof STACK_OUTPUTS], { value, description });
    }
  }
}
