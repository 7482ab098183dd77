import type { Config, Pair } from '../../../core/config/index.js';
import { PairSchema } from '../../../core/config/index.js';

/**
 * Which pairs this process trains: the --pair flag, else every configured pair (PAIRS). The deployed job
 * is one job, not an AWS Batch array: its pairs share one scale network, which array children could not.
 * A process started as an array child (AWS_BATCH_JOB_ARRAY_INDEX set, by a hand-made submission) stops:
 * each child would train every pair and publish them all, once per child.
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
    throw new Error(
      `AWS_BATCH_JOB_ARRAY_INDEX is set (${index}): this is a child of an array job, but one job trains ` +
        'every pair of PAIRS (they share one scale network). Submit a single job (`npm run jobs -- submit`), ' +
        'or pass --pair',
    );
  }
  return [...config.pairs];
}
