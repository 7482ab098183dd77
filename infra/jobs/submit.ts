import { SubmitJobCommand, type BatchClient } from '@aws-sdk/client-batch';
import type { Pair } from '../../core/config/schema.js';
import { TRAINING_JOB_NAME, singlePairJobName, trainingJobRequest } from '../lib/training-job.js';
import { JobsUsageError } from './errors.js';
import type { TrainingTarget } from './target.js';

export interface SubmittedRun {
  readonly jobId: string;
  readonly jobName: string;
  readonly pairs: readonly Pair[];
}

/** Name of a run of every pair started by hand; the schedule's runs are TRAINING_JOB_NAME. */
export const MANUAL_JOB_NAME = `${TRAINING_JOB_NAME}-manual`;

/**
 * Starts a training run now: the job the schedule submits (one job training every deployed pair), or with
 * `pair` a job of that pair alone. PAIRS is passed explicitly so the run trains exactly what it says.
 */
export async function submitTraining(
  client: BatchClient,
  target: TrainingTarget,
  pair?: string,
): Promise<SubmittedRun> {
  const pairs = pair === undefined ? target.pairs : [deployedPair(pair, target.pairs)];
  const request = trainingJobRequest(
    pairs,
    pair === undefined ? MANUAL_JOB_NAME : singlePairJobName(pairs[0] as Pair),
  );
  const response = await client.send(
    new SubmitJobCommand({
      jobName: request.jobName,
      jobQueue: target.queue,
      jobDefinition: target.definition,
      containerOverrides: {
        environment: Object.entries(request.environment).map(([name, value]) => ({ name, value })),
      },
    }),
  );
  if (response.jobId === undefined) throw new Error('SubmitJob answered without a jobId');
  return { jobId: response.jobId, jobName: response.jobName ?? request.jobName, pairs };
}

function deployedPair(pair: string, deployed: readonly Pair[]): Pair {
  const wanted = pair.trim().toUpperCase();
  const found = deployed.find((candidate) => candidate === wanted);
  if (found === undefined) {
    throw new JobsUsageError(
      `${pair} is not a deployed pair (${deployed.join(', ')}): the API would not serve it. ` +
        'Add it to `pairs` in conf/{confEnv}/parameters.yaml and deploy first',
    );
  }
  return found;
}
