import { pairSlug } from '../../core/artifacts/layout.js';
import type { Pair } from '../../core/config/schema.js';

/**
 * The training job as both the schedule and the jobs command submit it, so that a run started by hand
 * is the run the schedule would have started. Plain data: no CDK, no SDK.
 *
 * Always one job, never an array: the process trains every pair of PAIRS, then one scale network shared
 * across them, then publishes each pair (training-image/src/cli/train.ts). Array children could not share
 * that network. docs/deploying.md, "Why one job", weighs it against an array and a follow-up job.
 */

/** Name of the scheduled job; a run started by hand is named after it. */
export const TRAINING_JOB_NAME = 'crypto-forecast-training';

/** What the pipeline reads besides the job definition's fixed values (MODEL_BUCKET, MUR_ENV, ...). */
export interface TrainingJobRequest {
  readonly jobName: string;
  /** The pairs the one job trains, in order. */
  readonly environment: { readonly PAIRS: string };
}

export function trainingJobRequest(
  pairs: readonly Pair[],
  jobName: string = TRAINING_JOB_NAME,
): TrainingJobRequest {
  if (pairs.length === 0) throw new RangeError('A training job needs at least one pair');
  return { jobName, environment: { PAIRS: pairs.join(',') } };
}

/** A run of one pair started by hand: `crypto-forecast-training-btc_usdt`. */
export function singlePairJobName(pair: Pair): string {
  return `${TRAINING_JOB_NAME}-${pairSlug(pair)}`;
}
