import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { ROUTES } from '../../../functions/routes.js';
import { MODEL_PUBLISHED_FILTER } from '../../../infra/lib/monitoring.js';
import { logicalIdOf, synthCached } from '../support.js';

function topicOf(template: ReturnType<typeof synthCached>['template']): string {
  return logicalIdOf(template, 'AWS::SNS::Topic');
}

/** A rule's target: the topic, told through an input transformer that reads `paths` among others. */
function toTopicWith(
  template: ReturnType<typeof synthCached>['template'],
  paths: Record<string, string>,
): unknown {
  return Match.objectLike({
    Arn: { Ref: topicOf(template) },
    InputTransformer: Match.objectLike({ InputPathsMap: Match.objectLike(paths) }),
  });
}

describe('Monitoring: notifications', () => {
  it('has one topic, with an e-mail subscription only when alarmEmail is set', () => {
    synthCached().template.resourceCountIs('AWS::SNS::Subscription', 0);
    const { template } = synthCached({ alarmEmail: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicOf(template) },
    });
  });

  it('sends a failed training job of the queue to the topic, with its reason', () => {
    // Arrange
    const { template } = synthCached();
    const queue = logicalIdOf(template, 'AWS::Batch::JobQueue');

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.batch'],
        'detail-type': ['Batch Job State Change'],
        detail: { status: ['FAILED'], jobQueue: [{ 'Fn::GetAtt': [queue, 'JobQueueArn'] }] },
      },
      Targets: [toTopicWith(template, { 'detail-statusReason': '$.detail.statusReason' })],
    });
  });
});

describe('Monitoring: alarms', () => {
  it('raises an alarm on any error of each function, and tells the topic', () => {
    const { template } = synthCached();
    const topic = topicOf(template);
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors' },
    });
    assert.equal(Object.keys(alarms).length, ROUTES.length);
    for (const alarm of Object.values(alarms)) {
      assert.deepEqual(alarm['Properties']['AlarmActions'], [{ Ref: topic }]);
      assert.equal(alarm['Properties']['Threshold'], 1);
    }
  });

  it('raises an alarm on any 5xx of the API', () => {
    const { template } = synthCached();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicOf(template) }],
    });
  });

  it('raises an alarm per pair when no model was published for 3 schedule periods, missing data included', () => {
    // Arrange
    const { template } = synthCached();

    // Assess
    for (const pair of ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp(`^No new ${pair} model`),
        Namespace: 'CryptoForecast',
        MetricName: 'ModelPublished',
        Dimensions: [{ Name: 'Pair', Value: pair }],
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: topicOf(template) }],
      });
    }
  });

  it('scales the staleness window with the schedule', () => {
    synthCached(
      {},
      'schedule:\n  expression: rate(6 hours)\nserving:\n  stale_after_periods: 2\n',
    ).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ModelPublished',
      Period: 21_600,
      EvaluationPeriods: 2,
    });
  });

  it('raises an alarm per pair when latest.json did not move for one whole schedule period, missing data included', () => {
    // Arrange
    const { template } = synthCached();
    const topic = topicOf(template);

    // Act
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmDescription: Match.stringLikeRegexp('latest.json did not move') },
      }),
    ).map((alarm) => alarm['Properties'] as Record<string, unknown>);

    // Assess
    assert.deepEqual(alarms.map((alarm) => (alarm['Dimensions'] as { Value: string }[])[0]?.Value).sort(), [
      'BTC/USDT',
      'CHZ/USDT',
      'ETH/USDT',
    ]);
    for (const alarm of alarms) {
      assert.deepEqual(
        {
          Namespace: alarm['Namespace'],
          MetricName: alarm['MetricName'],
          Statistic: alarm['Statistic'],
          Period: alarm['Period'],
          EvaluationPeriods: alarm['EvaluationPeriods'],
          DatapointsToAlarm: alarm['DatapointsToAlarm'],
          Threshold: alarm['Threshold'],
          ComparisonOperator: alarm['ComparisonOperator'],
          TreatMissingData: alarm['TreatMissingData'],
          AlarmActions: alarm['AlarmActions'],
          OKActions: alarm['OKActions'],
        },
        {
          Namespace: 'CryptoForecast',
          MetricName: 'ModelPublished',
          Statistic: 'Sum',
          Period: 3600,
          EvaluationPeriods: 1,
          DatapointsToAlarm: 1,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          TreatMissingData: 'breaching',
          AlarmActions: [{ Ref: topic }],
          OKActions: [{ Ref: topic }],
        },
      );
    }
  });

  it('follows the schedule period in the pointer alarm', () => {
    const { template } = synthCached({}, 'schedule:\n  expression: rate(6 hours)\n');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('latest.json did not move'),
      Period: 21_600,
      EvaluationPeriods: 1,
    });
  });
});

describe('Monitoring: the training image', () => {
  it('tells the topic when the scan of a pushed training image finds HIGH or CRITICAL vulnerabilities', () => {
    // Arrange
    const { template, imageTemplate } = synthCached();
    const repository = Object.values(imageTemplate.findResources('AWS::ECR::Repository'))[0]?.['Properties'][
      'RepositoryName'
    ] as string;

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Scan'],
        detail: {
          'repository-name': [repository],
          'scan-status': ['COMPLETE'],
          $or: [
            { 'finding-severity-counts': { CRITICAL: [{ numeric: ['>', 0] }] } },
            { 'finding-severity-counts': { HIGH: [{ numeric: ['>', 0] }] } },
          ],
        },
      },
      State: 'ENABLED',
      Targets: [toTopicWith(template, { 'detail-repository-name': '$.detail.repository-name' })],
    });
  });
});

describe('Monitoring: the ModelPublished metric', () => {
  it("is counted from the training job's JSON log line of each published model", () => {
    // Arrange
    const { template } = synthCached();
    const jobLogs = Object.keys(template.findResources('AWS::Logs::LogGroup')).find((id) =>
      id.startsWith('TrainingJobLogs'),
    );

    // Assess
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: jobLogs },
      // The real training CLI's line is matched against this pattern in test/training-image/cli/train-cli.test.ts.
      FilterPattern: MODEL_PUBLISHED_FILTER.logPatternString,
      MetricTransformations: [
        {
          MetricNamespace: 'CryptoForecast',
          MetricName: 'ModelPublished',
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [{ Key: 'Pair', Value: '$.pair' }],
        },
      ],
    });
  });
});
