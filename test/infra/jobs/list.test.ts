import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RUN_STATUSES, formatTime, listRuns, renderRuns } from '../../../infra/jobs/list.js';
import { FakeBatch, type RecordedRequest } from './fake-batch.js';

const QUEUE = 'TrainingJobQueue-abc';
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 26, 7, 0, 0);

/**
 * Runs as AWS Batch keeps them: one job running, one that failed, one that succeeded, and an array job from
 * before training became one job (one child per pair), whose CHZ/USDT child failed.
 */
const SUMMARIES: Record<string, Record<string, unknown>[]> = {
  RUNNING: [
    {
      jobId: 'run-4',
      jobName: 'crypto-forecast-training',
      status: 'RUNNING',
      createdAt: T0 + 3 * HOUR,
      startedAt: T0 + 3 * HOUR + 60_000,
    },
  ],
  SUCCEEDED: [
    {
      jobId: 'run-1',
      jobName: 'crypto-forecast-training',
      status: 'SUCCEEDED',
      createdAt: T0,
      startedAt: T0 + 60_000,
      stoppedAt: T0 + 900_000,
    },
  ],
  FAILED: [
    {
      jobId: 'run-3',
      jobName: 'crypto-forecast-training',
      status: 'FAILED',
      statusReason: 'Essential container in task exited',
      createdAt: T0 + 2 * HOUR,
      startedAt: T0 + 2 * HOUR + 60_000,
      stoppedAt: T0 + 2 * HOUR + 840_000,
    },
    {
      jobId: 'run-2',
      jobName: 'crypto-forecast-training-manual',
      status: 'FAILED',
      statusReason: 'Array Child Job failed',
      createdAt: T0 + HOUR,
      startedAt: T0 + HOUR + 60_000,
      stoppedAt: T0 + HOUR + 600_000,
      arrayProperties: { size: 3 },
    },
  ],
};

const PAIRS_ENVIRONMENT = { environment: [{ name: 'PAIRS', value: 'BTC/USDT,ETH/USDT,CHZ/USDT' }] };

/** What DescribeJobs adds to a listed job: where it ran, and the PAIRS it was given. */
const detailed = (
  summary: Record<string, unknown> | undefined,
  more: Record<string, unknown> = {},
): Record<string, unknown> => ({
  ...summary,
  jobQueue: QUEUE,
  jobDefinition: 'def',
  container: PAIRS_ENVIRONMENT,
  ...more,
});

const DETAILS: Record<string, Record<string, unknown>> = {
  'run-4': detailed(SUMMARIES['RUNNING']?.[0]),
  'run-3': detailed(SUMMARIES['FAILED']?.[0], {
    attempts: [
      { container: { exitCode: 1 }, statusReason: 'Essential container in task exited' },
      { container: { exitCode: 1 }, statusReason: 'Essential container in task exited' },
    ],
  }),
  'run-1': detailed(SUMMARIES['SUCCEEDED']?.[0]),
  'run-2': detailed(SUMMARIES['FAILED']?.[1], {
    arrayProperties: { size: 3, statusSummary: { SUCCEEDED: 2, FAILED: 1 } },
  }),
  'run-2:2': {
    jobId: 'run-2:2',
    jobName: 'crypto-forecast-training-manual',
    status: 'FAILED',
    jobQueue: QUEUE,
    jobDefinition: 'def',
    createdAt: T0 + HOUR,
    statusReason: 'Essential container in task exited',
    arrayProperties: { index: 2 },
    attempts: [
      { container: { exitCode: 1, reason: '' }, statusReason: 'Essential container in task exited' },
      { container: { exitCode: 1 }, statusReason: 'Essential container in task exited' },
    ],
  },
};

function answer(request: RecordedRequest): { body: unknown } | undefined {
  if (request.path === '/v1/listjobs') {
    if (request.body['arrayJobId'] === 'run-2' && request.body['jobStatus'] === 'FAILED') {
      return {
        body: {
          jobSummaryList: [
            {
              jobId: 'run-2:2',
              jobName: 'crypto-forecast-training-manual',
              status: 'FAILED',
              arrayProperties: { index: 2 },
            },
          ],
        },
      };
    }
    return { body: { jobSummaryList: SUMMARIES[String(request.body['jobStatus'])] ?? [] } };
  }
  if (request.path === '/v1/describejobs') {
    const ids = request.body['jobs'] as string[];
    return { body: { jobs: ids.map((id) => DETAILS[id]).filter((job) => job !== undefined) } };
  }
  return undefined;
}

describe('listRuns', () => {
  let batch: FakeBatch;
  before(async () => {
    batch = await FakeBatch.start();
    batch.answerWith(answer);
  });
  after(async () => {
    await batch.stop();
  });

  it('asks ListJobs for every status of the queue, then DescribeJobs for the runs it shows', async () => {
    // Act
    await listRuns(batch.client(), { queue: QUEUE, limit: 20 });

    // Assess
    const lists = batch.requests.filter(
      (request) => request.path === '/v1/listjobs' && request.body['jobQueue'] === QUEUE,
    );
    assert.deepEqual(
      lists.map((request) => request.body['jobStatus']),
      [...RUN_STATUSES],
    );
    assert.ok(lists.every((request) => request.method === 'POST' && request.body['maxResults'] === 20));
    const describe = batch.requests.find((request) => request.path === '/v1/describejobs');
    assert.deepEqual(describe?.body, { jobs: ['run-4', 'run-3', 'run-2', 'run-1'] });
  });

  it('renders running, failed and succeeded runs, newest first, with why a run failed', async () => {
    // Act
    const runs = await listRuns(batch.client(), { queue: QUEUE, limit: 20 });
    const table = renderRuns(runs, QUEUE).split('\n');

    // Assess
    assert.match(table[0] ?? '', /^STATUS +NAME +JOB ID +CREATED +STARTED +STOPPED +DETAIL$/);
    assert.match(
      table[1] ?? '',
      /^RUNNING +crypto-forecast-training +run-4 +2026-11-26 10:00:00Z +2026-11-26 10:01:00Z +-$/,
    );
    assert.match(
      table[2] ?? '',
      /^FAILED +crypto-forecast-training +run-3 +2026-11-26 09:00:00Z +2026-11-26 09:01:00Z +2026-11-26 09:14:00Z +Essential container in task exited, exit code 1$/,
    );
    assert.match(
      table[4] ?? '',
      /^SUCCEEDED +crypto-forecast-training +run-1 +2026-11-26 07:00:00Z .* 2026-11-26 07:15:00Z$/,
    );
    assert.equal(table.length, 5);
  });

  it('still sums up an array job from before training became one job, naming the failed child and its pair', async () => {
    // Act
    const runs = await listRuns(batch.client(), { queue: QUEUE, limit: 20 });
    const table = renderRuns(runs, QUEUE).split('\n');

    // Assess
    assert.match(
      table[3] ?? '',
      /^FAILED +crypto-forecast-training-manual +run-2 +2026-11-26 08:00:00Z +2026-11-26 08:01:00Z +2026-11-26 08:10:00Z +3 children: 2 SUCCEEDED, 1 FAILED - Array Child Job failed; child 2 \(CHZ\/USDT\): Essential container in task exited, exit code 1$/,
    );
    // Only the array job's children are listed: a job has none.
    const children = batch.requests.filter((request) => request.body['arrayJobId'] !== undefined);
    assert.ok(children.length > 0);
    assert.ok(children.every((request) => request.body['arrayJobId'] === 'run-2'));
  });

  it('shows at most --limit runs', async () => {
    const runs = await listRuns(batch.client(), { queue: QUEUE, limit: 1 });
    assert.deepEqual(
      runs.map((run) => run.jobId),
      ['run-4'],
    );
  });
});

describe('renderRuns', () => {
  it('says so when the queue has no runs', () => {
    assert.equal(renderRuns([], QUEUE), `No training runs in ${QUEUE}.`);
  });

  it('writes times in UTC to the second, and - for a step not reached', () => {
    assert.equal(formatTime(T0 + 1234), '2026-11-26 07:00:01Z');
    assert.equal(formatTime(undefined), '-');
  });
});
