#!/usr/bin/env node
/**
 * Operator command for the training jobs of the deployed stack:
 *   npm run jobs -- submit [--pair BTC/USDT]     start a run now (the schedule's job, or one pair alone)
 *   npm run jobs -- list [--limit 20]            recent runs: status, times, why a run failed
 *   npm run jobs -- promote --pair P --version V serve an already published version (a rollback)
 * The queue, job definition and pairs come from cdk-outputs.json (`npx cdk deploy --outputs-file
 * cdk-outputs.json`) or from --queue, --definition and --pairs. Credentials and region are the AWS CLI's.
 */
import { pathToFileURL } from 'node:url';
import { BatchClient } from '@aws-sdk/client-batch';
import { Command, InvalidArgumentError } from 'commander';
import { ArtifactStore } from '../../adapters/storage/index.js';
import { JobsUsageError } from './errors.js';
import { listRuns, renderRuns } from './list.js';
import { submitTraining } from './submit.js';
import {
  parsePairs,
  resolveBucket,
  resolveQueue,
  resolveSigningKey,
  resolveTarget,
  type TargetFlags,
} from './target.js';

interface PromoteOptions {
  readonly pair: string;
  readonly version: string;
  readonly bucket?: string;
  readonly prefix: string;
  readonly s3Endpoint?: string;
  readonly signingKey?: string;
}

interface GlobalFlags extends TargetFlags {
  readonly region?: string;
  readonly endpointUrl?: string;
}

export async function main(
  argv: readonly string[],
  out: (text: string) => void = console.log,
): Promise<number> {
  const program = new Command()
    .name('jobs')
    .description('Start and inspect the training runs of the deployed stack (AWS Batch)')
    .option('--outputs <file>', 'stack outputs written by `cdk deploy --outputs-file`', 'cdk-outputs.json')
    .option('--stack <name>', 'stack in the outputs file, when it holds several')
    .option('--queue <name>', 'job queue (default: JobQueueName output)')
    .option('--definition <name>', 'job definition (default: JobDefinitionName output)')
    .option('--pairs <list>', 'deployed pairs, comma-separated (default: Pairs output)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the AWS CLI profile)')
    .option('--endpoint-url <url>', 'AWS Batch endpoint, for a proxy or a local fake')
    .showHelpAfterError()
    .exitOverride();

  const client = (): BatchClient => {
    const flags = program.opts<GlobalFlags>();
    return new BatchClient({
      ...(flags.region === undefined ? {} : { region: flags.region }),
      ...(flags.endpointUrl === undefined ? {} : { endpoint: flags.endpointUrl }),
    });
  };

  program
    .command('submit')
    .description('start a training run now: one job training every deployed pair, or --pair')
    .option('--pair <pair>', 'train only this deployed pair, e.g. BTC/USDT')
    .action(async (options: { pair?: string }) => {
      const target = resolveTarget(program.opts<GlobalFlags>());
      const run = await submitTraining(client(), target, options.pair);
      const count = run.pairs.length === 1 ? '1 pair' : `${run.pairs.length} pairs`;
      out(
        `Submitted ${run.jobName} (${run.jobId}): a single job training ${count} (${run.pairs.join(', ')}) on ${target.queue}`,
      );
      out('Follow it with: npm run jobs -- list');
    });

  program
    .command('list')
    .description('recent runs, newest first, with status, times and why a run failed')
    .option('--limit <count>', 'runs shown at most', positiveInt, 20)
    .action(async (options: { limit: number }) => {
      const queue = resolveQueue(program.opts<GlobalFlags>());
      out(renderRuns(await listRuns(client(), { queue, limit: options.limit }), queue));
    });

  program
    .command('promote')
    .description("serve an already published version of a pair: points the pair's latest.json at it")
    .requiredOption('--pair <pair>', 'the pair, e.g. BTC/USDT')
    .requiredOption('--version <version>', 'a published version, e.g. 20261126T070000Z-a1b2')
    .option('--bucket <name>', 'artifact bucket (default: BucketName output)')
    .option('--prefix <prefix>', 'key prefix inside the bucket (storage.prefix)', '')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint instead of AWS S3 (MinIO, the local stack)')
    .option(
      '--signing-key <spec>',
      "kms:<key ARN> or file:<folder>: what the version's signature is checked with (default: the ModelSigningKeyArn output)",
    )
    .action(async (options: PromoteOptions) => {
      const flags = program.opts<GlobalFlags>();
      const [pair] = parsePairs(options.pair);
      const store = ArtifactStore.fromConfig({
        bucket: resolveBucket({ ...flags, bucket: options.bucket }),
        prefix: options.prefix,
        endpoint: options.s3Endpoint ?? null,
        region: flags.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
        keep_versions: 1,
        signing_key: resolveSigningKey({ ...flags, signingKey: options.signingKey }),
      });
      // The store reads the version's manifest first, and checks its signature: a pointer never names a
      // version that is not there, or that the training job did not sign.
      const latest = await store.promote(pair as string, options.version);
      out(`${latest.pair} now serves version ${latest.version} (${latest.manifest_key})`);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof Error && 'exitCode' in error && typeof error.exitCode === 'number') {
      // commander has printed the usage problem (or the help, with exit code 0).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof JobsUsageError) {
      console.error(`jobs: ${error.message}`);
      return 2;
    }
    console.error(`jobs: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  }
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 1000) {
    throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  }
  return parsed;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
