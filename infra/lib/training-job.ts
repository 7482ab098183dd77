import { pairSlug } from '../../core/artifacts/layout.js';
import type { Pair } from '../../core/config/schema.js';

/**
 * The training job as both the schedule and the jobs command submit it, so that a run started by hand
 * is the run the schedule would have started. Plain data: no CDK, no SDK.
 */

/** Name of the scheduled job; a run started by hand is named after it. */
export const TRAINING_JOB_NAME = 'crypto-forecast-training';

/** What the pipeline reads besides the job definition's fixed values (MODEL_BUCKET, MUR_ENV, ...). */
export interface TrainingJobRequest {
  readonly jobName: string;
  /**
   * Children of the array job, one per pair (AWS_BATCH_JOB_ARRAY_INDEX picks it from PAIRS); undefined for
   * a single job, because AWS Batch refuses arrays of fewer than 2 children. A single job trains every pair
   * of PAIRS, which is then just one.
   */
  readonly arraySize: number | undefined;
  readonly environment: { readonly PAIRS: string };
}

export function trainingJobRequest(
  pairs: readonly Pair[],
  jobName: string = TRAINING_JOB_NAME,
): TrainingJobRequest {
  if (pairs.length === 0) throw new RangeError('A training job needs at least one pair');
  return {
    jobName,
    arraySize: pairs.length >= 2 ? pairs.length : undefined,
    environment: { PAIRS: pairs.join(',') },
  };
}

/** A run of one pair started by hand: `crypto-forecast-training-btc_usdt`. */
export function singlePairJobName(pair: Pair): string {
  return `${TRAINING_JOB_NAME}-${pairSlug(pair)}`;
}
