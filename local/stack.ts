#!/usr/bin/env node
/**
 * The local stack, `npm start`: the whole loop on one machine, no cloud account.
 * Starts the S3-compatible server on 127.0.0.1 (data under .local/), the fake
 * exchange unless --candles or --exchange-url says where candles come from, and
 * trains every configured pair that has no published model yet.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ArtifactStore } from '../core/artifacts/index.js';
import { ConfigError, loadConfig, type Config } from '../core/config/index.js';
import { createLog } from '../training-image/src/log.js';
import { trainPair } from '../training-image/src/pipeline/train-pair.js';
import { selectBackend } from '../training-image/src/tf/backend.js';
import { startFakeExchange, type FakeExchange } from './fake-exchange/index.js';
import { startS3Server, type S3Server } from './s3-server.js';

interface StackFlags {
  readonly env: string;
  readonly candles?: string;
  readonly exchangeUrl?: string;
  readonly pairs?: string;
  readonly dataDir: string;
  readonly retrain: boolean;
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = new Command()
    .name('npm start --')
    .description('Run the forecasting loop locally: S3-compatible server, exchange, training')
    .option('--env <name>', 'configuration under conf/ laid over conf/base', 'local')
    .option('--candles <file>', 'train offline from a CSV of hourly candles')
    .option('--exchange-url <url>', 'ccxt-compatible endpoint (default: the fake exchange, started here)')
    .option('--pairs <list>', "comma-separated pairs (default: the configuration's)")
    .option('--data-dir <dir>', 'where the local S3 server keeps its objects', '.local/s3')
    .option('--retrain', 'train even the pairs that already have a published model', false)
    .showHelpAfterError()
    .parse(argv)
    .opts<StackFlags>();
  const log = createLog('text');
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  process.once('SIGINT', () => {
    log.info('stop', 'stopping the local stack');
    void stopAll().then(() => process.exit(130));
  });

  try {
    const base = loadConfig({
      env: flags.env,
      environment: { ...process.env, ...(flags.pairs ? { PAIRS: flags.pairs } : {}) },
    });
    const s3: S3Server = await startS3Server({
      directory: resolve(flags.dataDir),
      buckets: [base.config.storage.bucket],
    });
    stops.push(() => s3.close());
    log.info('s3', `S3-compatible server on ${s3.endpoint}, objects in ${resolve(flags.dataDir)}`);

    let exchangeUrl = flags.exchangeUrl;
    if (flags.candles === undefined && exchangeUrl === undefined) {
      const exchange: FakeExchange = await startFakeExchange({ seed: base.config.training.seed });
      stops.push(() => exchange.close());
      exchangeUrl = exchange.url;
      log.info('exchange', `fake exchange (generated candles) on ${exchange.url}`);
    }
    const config: Config = {
      ...base.config,
      exchange: { ...base.config.exchange, url: exchangeUrl ?? base.config.exchange.url },
      storage: { ...base.config.storage, endpoint: s3.endpoint },
    };

    const store = ArtifactStore.fromConfig(config.storage);
    const backend = await selectBackend(config.training.backend);
    log.info('backend', `TensorFlow.js backend: ${backend.name}`);
    const summary: string[] = [];
    let failures = 0;
    for (const pair of config.pairs) {
      const latest = await store.readLatest(pair);
      if (latest !== null && !flags.retrain) {
        log.info('skip', `${pair}: version ${latest.version} already published (--retrain to train again)`);
        summary.push(`  ${pair.padEnd(10)} ${latest.version} (already published)`);
        continue;
      }
      try {
        const { version, metrics } = await trainPair({
          config,
          pair,
          store,
          backend,
          log,
          candlesFile: flags.candles,
        });
        const t = metrics.test;
        summary.push(
          `  ${pair.padEnd(10)} ${version}  test MAE ${t.mae.toFixed(2)}  naive MAE ${t.naive_mae.toFixed(2)}  skill ${t.skill.toFixed(3)}`,
        );
      } catch (error) {
        failures += 1;
        const reason = error instanceof Error ? error.message : String(error);
        log.error('failed', `${pair}: ${reason}`);
        summary.push(`  ${pair.padEnd(10)} FAILED: ${reason.split('\n')[0] ?? ''}`);
      }
    }
    log.info(
      'summary',
      `\nPublished models (${s3.endpoint}, bucket ${config.storage.bucket}):\n${summary.join('\n')}`,
    );
    return failures === 0 ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      error instanceof ConfigError
        ? error.message
        : `start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
