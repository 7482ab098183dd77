import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { JobsUsageError } from '../../../infra/jobs/errors.js';
import { MANUAL_JOB_NAME, submitTraining } from '../../../infra/jobs/submit.js';
import type { TrainingTarget } from '../../../infra/jobs/target.js';
import { FakeBatch } from './fake-batch.js';

const TARGET: TrainingTarget = {
  queue: 'TrainingJobQueue-abc',
  definition: 'TrainingJobDefinition-def',
  pairs: ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT'],
};

describe('submitTraining', () => {
  let batch: FakeBatch;
  before(async () => {
    batch = await FakeBatch.start();
  });
  after(async () => {
    await batch.stop();
  });
  beforeEach(() => {
    batch.answerWith((request) =>
      request.path === '/v1/submitjob'
        ? {
            body: {
              jobArn: 'arn:aws:batch:eu-west-1:1:job/j-1',
              jobName: request.body['jobName'],
              jobId: 'j-1',
            },
          }
        : undefined,
    );
  });

  it("submits the schedule's job: the queue, the definition and PAIRS of every pair, no array", async () => {
    // Act
    const run = await submitTraining(batch.client(), TARGET);

    // Assess
    assert.equal(batch.requests.length, 1);
    const [request] = batch.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/v1/submitjob');
    assert.match(
      String(request?.headers['authorization']),
      /^AWS4-HMAC-SHA256 Credential=AKIDFAKE\/\d{8}\/eu-west-1\/batch\//,
    );
    assert.deepEqual(request?.body, {
      jobName: MANUAL_JOB_NAME,
      jobQueue: 'TrainingJobQueue-abc',
      jobDefinition: 'TrainingJobDefinition-def',
      containerOverrides: { environment: [{ name: 'PAIRS', value: 'BTC/USDT,ETH/USDT,CHZ/USDT' }] },
    });
    assert.deepEqual(run, { jobId: 'j-1', jobName: MANUAL_JOB_NAME, pairs: TARGET.pairs });
  });

  it('submits a single job of one pair, named after it', async () => {
    // Act
    const run = await submitTraining(batch.client(), TARGET, 'eth/usdt');

    // Assess
    assert.deepEqual(batch.requests[0]?.body, {
      jobName: 'crypto-forecast-training-eth_usdt',
      jobQueue: 'TrainingJobQueue-abc',
      jobDefinition: 'TrainingJobDefinition-def',
      containerOverrides: { environment: [{ name: 'PAIRS', value: 'ETH/USDT' }] },
    });
    assert.deepEqual(run.pairs, ['ETH/USDT']);
  });

  it('refuses a pair the stack does not serve, before calling AWS', async () => {
    await assert.rejects(submitTraining(batch.client(), TARGET, 'SOL/USDT'), (error: unknown) => {
      assert.ok(error instanceof JobsUsageError);
      assert.match(error.message, /SOL\/USDT is not a deployed pair \(BTC\/USDT, ETH\/USDT, CHZ\/USDT\)/);
      return true;
    });
    assert.equal(batch.requests.length, 0);
  });

  it("passes AWS Batch's refusal on", async () => {
    batch.answerWith(() => ({ status: 400, body: { message: 'Job queue TrainingJobQueue-abc not found' } }));
    await assert.rejects(submitTraining(batch.client(), TARGET), /Job queue TrainingJobQueue-abc not found/);
  });
});
