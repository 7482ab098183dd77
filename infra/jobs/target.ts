import { existsSync, readFileSync } from 'node:fs';
import { PairSchema, type Pair } from '../../core/config/schema.js';
import { STACK_OUTPUTS } from '../lib/stack-outputs.js';
import { JobsUsageError } from './errors.js';

/** Where training jobs go and what they train: from the deployed stack's outputs, or from flags. */
export interface TrainingTarget {
  readonly queue: string;
  readonly definition: string;
  /** The deployed pairs, in the order the job trains them (PAIRS). */
  readonly pairs: readonly Pair[];
}

export interface TargetFlags {
  /** `npx cdk deploy --outputs-file cdk-outputs.json` writes it. */
  readonly outputs: string;
  readonly stack?: string | undefined;
  readonly queue?: string | undefined;
  readonly definition?: string | undefined;
  readonly pairs?: string | undefined;
}

type OutputsFile = Record<string, Record<string, string>>;

/** Flags win over the outputs file; the outputs file is only needed for what the flags leave out. */
export function resolveTarget(flags: TargetFlags): TrainingTarget {
  const pick = picker(flags, [flags.queue, flags.definition, flags.pairs]);
  return {
    queue: pick(flags.queue, STACK_OUTPUTS.jobQueueName, '--queue NAME'),
    definition: pick(flags.definition, STACK_OUTPUTS.jobDefinitionName, '--definition NAME'),
    pairs: parsePairs(pick(flags.pairs, STACK_OUTPUTS.pairs, '--pairs A/B,C/D')),
  };
}

/** The job queue alone, which is all that listing runs needs. */
export function resolveQueue(flags: TargetFlags): string {
  return picker(flags, [flags.queue])(flags.queue, STACK_OUTPUTS.jobQueueName, '--queue NAME');
}

/**
 * The key a version's signature is checked with before it is promoted: `--signing-key kms:ARN|file:DIR`,
 * else the stack's (ModelSigningKeyArn output).
 */
export function resolveSigningKey(flags: TargetFlags & { readonly signingKey?: string | undefined }): string {
  if (flags.signingKey !== undefined) return flags.signingKey;
  return `kms:${picker(flags, [undefined])(undefined, STACK_OUTPUTS.modelSigningKeyArn, '--signing-key kms:ARN')}`;
}

/** The artifact bucket, for promoting a version. */
export function resolveBucket(flags: TargetFlags & { readonly bucket?: string | undefined }): string {
  return picker(flags, [flags.bucket])(flags.bucket, STACK_OUTPUTS.bucketName, '--bucket NAME');
}

function picker(
  flags: TargetFlags,
  given: readonly (string | undefined)[],
): (flag: string | undefined, key: string, option: string) => string {
  const outputs = given.some((value) => value === undefined) ? stackOutputs(flags) : {};
  return (flag, key, option) => {
    const value = flag ?? outputs[key];
    if (value === undefined || value === '') {
      throw new JobsUsageError(`No ${key} in ${flags.outputs}: pass ${option}`);
    }
    return value;
  };
}

export function parsePairs(text: string): Pair[] {
  const pairs = text
    .split(',')
    .map((pair) => pair.trim().toUpperCase())
    .filter((pair) => pair !== '');
  for (const pair of pairs) {
    if (!PairSchema.safeParse(pair).success) {
      throw new JobsUsageError(`"${pair}" is not a pair: expected BASE/QUOTE, for example BTC/USDT`);
    }
  }
  if (pairs.length === 0) throw new JobsUsageError('No pairs: pass --pairs BTC/USDT,ETH/USDT');
  return pairs;
}

function stackOutputs(flags: TargetFlags): Record<string, string> {
  if (!existsSync(flags.outputs)) {
    throw new JobsUsageError(
      `${flags.outputs} does not exist: deploy with \`npx cdk deploy --all --outputs-file ${flags.outputs}\`, ` +
        'or pass --queue, --definition and --pairs',
    );
  }
  let file: OutputsFile;
  try {
    file = JSON.parse(readFileSync(flags.outputs, 'utf8')) as OutputsFile;
  } catch (error) {
    throw new JobsUsageError(`${flags.outputs} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const stacks = Object.entries(file).filter(([, outputs]) => STACK_OUTPUTS.jobQueueName in outputs);
  if (flags.stack !== undefined) {
    const outputs = file[flags.stack];
    if (outputs === undefined) {
      throw new JobsUsageError(
        `${flags.outputs} has no stack ${flags.stack} (it has ${Object.keys(file).join(', ')})`,
      );
    }
    return outputs;
  }
  const [only, ...others] = stacks;
  if (only === undefined)
    throw new JobsUsageError(`${flags.outputs} has no stack with a ${STACK_OUTPUTS.jobQueueName}`);
  if (others.length > 0) {
    throw new JobsUsageError(
      `${flags.outputs} has several stacks (${stacks.map(([n]) => n).join(', ')}): pass --stack`,
    );
  }
  return only[1];
}
