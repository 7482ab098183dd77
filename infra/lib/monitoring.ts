import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Pair } from '../../core/config/schema.js';
import { MODEL_PUBLISHED_LOG } from '../../core/metrics/published-log.js';
import { acknowledge } from './nag.js';

/**
 * The staleness metric's contract. The training CLI logs one JSON line per published model
 * (MODEL_PUBLISHED_LOG, LOG_FORMAT=json); a metric filter on the job log group turns each into
 * 1 ModelPublished for that Pair. test/training-image/cli/train-cli.test.ts matches the real CLI's
 * output against MODEL_PUBLISHED_FILTER.
 */
export const MODEL_METRIC = {
  namespace: 'CryptoForecast',
  metricName: 'ModelPublished',
  dimension: 'Pair',
  /** The log line's `event` when a pair's new model is live (latest.json written). */
  logEvent: MODEL_PUBLISHED_LOG.event,
} as const;

/** The metric filter's pattern: the lines that count as one published model. */
export const MODEL_PUBLISHED_FILTER: logs.IFilterPattern = logs.FilterPattern.stringValue(
  '$.event',
  '=',
  MODEL_METRIC.logEvent,
);

export interface MonitoringProps {
  /** Alarm notifications by e-mail; '' for none. */
  readonly alarmEmail: string;
  readonly pairs: readonly Pair[];
  /** Seconds between two scheduled training runs. */
  readonly schedulePeriodSeconds: number;
  /** Periods without a new model after which a pair's model is stale. */
  readonly stalenessPeriods: number;
  readonly jobQueue: batch.IJobQueue;
  readonly jobLogGroup: logs.ILogGroup;
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  readonly api: apigw.RestApi;
  /** The ECR repository of the training image: a scan finding HIGH or CRITICAL notifies the topic. */
  readonly imageRepositoryName: string;
}

/** Severities of an image scan finding that notify the alarm topic. */
export const ALARMING_FINDING_SEVERITIES = ['CRITICAL', 'HIGH'] as const;

/**
 * Everything that should wake an operator goes to one SNS topic: a failed training job, a function error,
 * a 5xx from the API, a pair whose model has not been renewed for several schedule periods.
 */
export class Monitoring extends Construct {
  public readonly topic: sns.Topic;
  public readonly jobFailedRule: events.Rule;
  public readonly functionErrorAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  public readonly serverErrorAlarm: cloudwatch.Alarm;
  public readonly stalenessAlarms: ReadonlyMap<Pair, cloudwatch.Alarm>;
  public readonly pointerAlarms: ReadonlyMap<Pair, cloudwatch.Alarm>;
  public readonly imageFindingsRule: events.Rule;

  public constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'Crypto forecast alarms', enforceSSL: true });
    acknowledge(
      this.topic,
      'AwsSolutions-SNS2',
      'Alarm notifications carry no secrets. CloudWatch and EventBridge cannot publish to a topic encrypted ' +
        'with the AWS managed SNS key, and a customer managed key would cost more than the rest of the idle stack.',
    );
    if (props.alarmEmail !== '') {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    const notify = new actions.SnsAction(this.topic);
    const alarm = (created: cloudwatch.Alarm): cloudwatch.Alarm => {
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      return created;
    };

    // Batch says why a job failed in the event itself; the message passes the reason on.
    this.jobFailedRule = new events.Rule(this, 'JobFailed', {
      description: 'A training job of the queue failed',
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job State Change'],
        detail: { status: ['FAILED'], jobQueue: [props.jobQueue.jobQueueArn] },
      },
      targets: [
        new targets.SnsTopic(this.topic, {
          message: events.RuleTargetInput.fromText(
            `Training job ${events.EventField.fromPath('$.detail.jobName')} ` +
              `(${events.EventField.fromPath('$.detail.jobId')}) failed: ` +
              `${events.EventField.fromPath('$.detail.statusReason')}. ` +
              'See `npm run jobs -- list` and the job log group.',
          ),
        }),
      ],
    });

    const functionErrorAlarms = new Map<string, cloudwatch.Alarm>();
    for (const [name, fn] of props.functions) {
      functionErrorAlarms.set(
        name,
        alarm(
          new cloudwatch.Alarm(this, `${pascalCase(name)}Errors`, {
            alarmDescription: `The ${name} function failed (uncaught error, timeout or crash)`,
            metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
            threshold: 1,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        ),
      );
    }
    this.functionErrorAlarms = functionErrorAlarms;

    this.serverErrorAlarm = alarm(
      new cloudwatch.Alarm(this, 'Api5xx', {
        alarmDescription: 'The API answered 5xx (handlers answer a caller mistake with 4xx, never 5xx)',
        metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    new logs.MetricFilter(this, 'ModelPublishedFilter', {
      logGroup: props.jobLogGroup,
      filterPattern: MODEL_PUBLISHED_FILTER,
      metricNamespace: MODEL_METRIC.namespace,
      metricName: MODEL_METRIC.metricName,
      metricValue: '1',
      dimensions: { [MODEL_METRIC.dimension]: `$.${MODEL_PUBLISHED_LOG.pairField}` },
      unit: cloudwatch.Unit.COUNT,
    });

    // No datapoint is the failure looked for: a job that never ran publishes nothing, so missing is breaching.
    const stalenessAlarms = new Map<Pair, cloudwatch.Alarm>();
    const window = Duration.seconds(props.schedulePeriodSeconds * props.stalenessPeriods);
    for (const pair of props.pairs) {
      stalenessAlarms.set(
        pair,
        alarm(
          new cloudwatch.Alarm(this, `Stale${pair.replace('/', '')}`, {
            alarmDescription: `No new ${pair} model for ${window.toHumanString()} (${props.stalenessPeriods} schedule periods)`,
            metric: new cloudwatch.Metric({
              namespace: MODEL_METRIC.namespace,
              metricName: MODEL_METRIC.metricName,
              dimensionsMap: { [MODEL_METRIC.dimension]: pair },
              statistic: 'Sum',
              period: Duration.seconds(props.schedulePeriodSeconds),
            }),
            threshold: 1,
            evaluationPeriods: props.stalenessPeriods,
            datapointsToAlarm: props.stalenessPeriods,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          }),
        ),
      );
    }
    this.stalenessAlarms = stalenessAlarms;

    // The pointer alarm: latest.json did not move during one whole schedule period. The training CLI logs
    // its `done` line only when the pointer moved to the new version, so a run that trained but did not
    // publish (a gate refused, a newer version was live, the pointer write failed) counts as no move. The
    // metric has no zeros (a metric filter with dimensions cannot emit a default value), so missing data is
    // the failure and counts as breaching, as for the staleness alarm. Consequence, on purpose: right after
    // the first deploy each pair's alarm goes to ALARM until its first run publishes (submit a run to clear
    // it); it proves the notification path works. The staleness alarm says the same later, when the served
    // model is actually stale; this one is the early warning.
    const pointerAlarms = new Map<Pair, cloudwatch.Alarm>();
    const period = Duration.seconds(props.schedulePeriodSeconds);
    for (const pair of props.pairs) {
      pointerAlarms.set(
        pair,
        alarm(
          new cloudwatch.Alarm(this, `PointerStill${pair.replace('/', '')}`, {
            alarmDescription: `${pair}: latest.json did not move to a new version for a whole schedule period (${period.toHumanString()})`,
            metric: new cloudwatch.Metric({
              namespace: MODEL_METRIC.namespace,
              metricName: MODEL_METRIC.metricName,
              dimensionsMap: { [MODEL_METRIC.dimension]: pair },
              statistic: 'Sum',
              period,
            }),
            threshold: 1,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          }),
        ),
      );
    }
    this.pointerAlarms = pointerAlarms;

    // ECR's basic scan of each pushed training image (scan on push): findings of these severities notify.
    const repository = events.EventField.fromPath('$.detail.repository-name');
    const counts = (severity: string) =>
      events.EventField.fromPath(`$.detail.finding-severity-counts.${severity}`);
    this.imageFindingsRule = new events.Rule(this, 'ImageFindings', {
      description: `The training image scan found ${ALARMING_FINDING_SEVERITIES.join(' or ')} vulnerabilities`,
      eventPattern: {
        source: ['aws.ecr'],
        detailType: ['ECR Image Scan'],
        detail: {
          'repository-name': [props.imageRepositoryName],
          'scan-status': ['COMPLETE'],
          $or: ALARMING_FINDING_SEVERITIES.map((severity) => ({
            'finding-severity-counts': { [severity]: [{ numeric: ['>', 0] }] },
          })),
        },
      },
      targets: [
        new targets.SnsTopic(this.topic, {
          message: events.RuleTargetInput.fromText(
            `The scan of training image ${repository}@${events.EventField.fromPath('$.detail.image-digest')} ` +
              `found CRITICAL ${counts('CRITICAL')} and HIGH ${counts('HIGH')} vulnerabilities. ` +
              'Rebuild on a patched base (docs/security.md, "What the image trusts").',
          ),
        }),
      ],
    });
  }
}

function pascalCase(name: string): string {
  return name.replace(/(^|[^a-zA-Z0-9]+)([a-zA-Z0-9])/g, (_match, _sep: string, letter: string) =>
    letter.toUpperCase(),
  );
}
