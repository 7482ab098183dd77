#!/usr/bin/env node
/**
 * The training job's entry point, the same in the Batch GPU container and on a laptop:
 *   npm run train -- --pair BTC/USDT [--env local] [--candles file.csv] [--exchange-url URL]
 * Every pair's point model, then one shared scale network across the pairs that trained, then each pair
 * published with the scale it won on validation. Exit code 0 when every pair published; otherwise 1 with a
 * one-line reason per failure (the other pairs still publish).
 */
import { Command } from 'commander';
import { ArtifactStore, ensureBucket } from '../../../adapters/storage/index.js';
import { loadConfig } from '../../../adapters/config/yaml.js';
import { MODEL_PUBLISHED_LOG, TRAINING_EXIT_CODES } from '../../../core/metrics/index.js';
import { createLog } from '../log.js';
import { trainRun } from '../pipeline/train-run.js';
import { thisMachine } from '../runs/machine.js';
import { RunRecorder } from '../runs/recorder.js';
import { RunRecords } from '../../../adapters/storage/run-records.js';
import { selectBackend } from '../tf/backend.js';
import { pairsToTrain } from './pairs.js';
import { runCommand } from './command.js';

interface TrainFlags {
  readonly pair?: string;
  readonly env?: string;
  readonly candles?: string;
  readonly exchangeUrl?: string;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('train')
    .description('Train, check and publish the forecasting model of one or every configured pair')
    .option(
      '--pair <pair>',
      'train one pair, e.g. BTC/USDT (default: every configured pair, with one shared scale network)',
    )
    .option('--env <name>', 'configuration under conf/ laid over conf/base (default: MUR_ENV or base)')
    .option('--candles <file>', 'read candles from a CSV file instead of the exchange')
    .option(
      '--exchange-url <url>',
      'ccxt-compatible endpoint replacing the exchange API (e.g. the fake exchange)',
    )
    .showHelpAfterError()
    .parse(argv);
  const flags = program.opts<TrainFlags>();
  const log = createLog();

  const environment = {
    ...process.env,
    ...(flags.exchangeUrl === undefined ? {} : { EXCHANGE_URL: flags.exchangeUrl }),
  };
  const { config, env, warnings } = loadConfig({ env: flags.env, environment });
  for (const warning of warnings) log.warn('config_retired_key', warning);
  const pairs = pairsToTrain(config, flags.pair, environment);
  const backend = await selectBackend(config.training.backend);
  log.info(
    'start',
    `training ${pairs.join(', ')} (config ${env}) on TensorFlow.js ${backend.name} (${backend.provider})`,
    {
      pairs,
      env,
      backend: backend.name,
      skipped_backends: backend.skipped,
    },
  );

  // Signs each version with storage.signing_key (MODEL_SIGNING_KEY): a run that cannot sign stops here.
  const store = ArtifactStore.fromConfig(config.storage, { keyUse: 'sign' });
  // A local S3-compatible server starts empty; AWS buckets come from the CDK stack and are never created here.
  if (config.storage.endpoint !== null) await ensureBucket(store.client, store.bucket);

  // Each pair's run, and the network's, leave a record under {prefix}runs/, beside the models.
  const recorder = new RunRecorder({
    records: RunRecords.beside(store),
    config,
    machine: thisMachine(backend),
    log,
  });
  const { outcomes } = await trainRun({
    config,
    pairs,
    store,
    backend,
    log,
    candlesFile: flags.candles,
    recorder,
  });
  let failures = 0;
  for (const outcome of outcomes) {
    const { pair } = outcome;
    if (outcome.status === 'failed') {
      failures += 1; // trainRun logged the reason
      continue;
    }
    const { result } = outcome;
    if (result.promoted) {
      // The line infra's staleness metric counts: one per model that went live, per pair. Only when
      // latest.json moved, so a run that published nothing served is not counted as renewing the pair.
      log.info(MODEL_PUBLISHED_LOG.event, `${pair}: version ${result.version} is live`, {
        [MODEL_PUBLISHED_LOG.pairField]: pair,
        version: result.version,
      });
    } else {
      log.warn(
        'not_promoted',
        `${pair}: version ${result.version} was published but is not served: ${result.notPromotedBecause ?? 'unknown'}`,
        { pair, version: result.version, reason: result.notPromotedBecause },
      );
    }
  }
  if (failures === 0) return 0;
  // Some pairs published and some did not: the job's retry would train the published ones again, so the
  // job definition does not retry this code (infra/lib/training-pipeline.ts). Nothing published: 1, which
  // it retries (a passing exchange outage).
  return failures < outcomes.length ? TRAINING_EXIT_CODES.partial : 1;
}

runCommand('train', main, TRAINING_EXIT_CODES.config);
