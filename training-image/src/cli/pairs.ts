import type { Config, Pair } from '../../../core/config/index.js';
import { PairSchema } from '../../../core/config/index.js';

/**
 * Which pairs this process trains: the --pair flag; else, in an AWS Batch array
 * job, the one at AWS_BATCH_JOB_ARRAY_INDEX in the configured pairs (PAIRS);
 * else every configured pair, one after the other.
 */
export function pairsToTrain(
  config: Config,
  flag: string | undefined,
  environment: Readonly<Record<string, string | undefined>>,
): Pair[] {
  if (flag !== undefined) {
    const parsed = PairSchema.safeParse(flag.toUpperCase());
    if (!parsed.success)
      throw new Error(`--pair ${flag}: ${parsed.error.issues[0]?.message ?? 'invalid pair'}`);
    return [parsed.data];
  }
  const index = environment['AWS_BATCH_JOB_ARRAY_INDEX'];
  if (index !== undefined && index !== '') {
    const i = Number(index);
    const pair = Number.isInteger(i) ? config.pairs[i] : undefined;
    if (pair === undefined) {
      throw new Error(
        `AWS_BATCH_JOB_ARRAY_INDEX ${index} has no pair: PAIRS holds ${config.pairs.length} (${config.pairs.join(', ')})`,
      );
    }
    return [pair];
  }
  return [...config.pairs];
}
