#!/usr/bin/env node
/**
 * The local stack, `npm start`: the whole loop on one machine, no cloud account.
 * Starts the S3-compatible server on 127.0.0.1 (data under .local/), the fake
 * exchange unless --candles or --exchange-url says where candles come from, trains
 * every configured pair that has no published model yet, then serves the Lambda
 * handlers and the dashboard on http://127.0.0.1:3000 until Ctrl-C.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ArtifactStore } from '../adapters/storage/index.js';
import { type LatestPointer } from '../core/artifacts/index.js';
import { ConfigError, type Config, type Pair } from '../core/config/index.js';
import { loadConfig } from '../adapters/config/yaml.js';
import { timeframeToMs } from '../core/market/timeframe.js';
import { MetricsSchema, type DataSource } from '../core/metrics/index.js';
import { ApiKeyError, generateDevKey, resolveApiKeys } from './dev-server/api-keys.js';
import { checkPortFree, startLocalApi } from './dev-server/adapter.js';
import { dashboardPages } from './dev-server/dashboard.js';
import { FileCandles } from './dev-server/file-candles.js';
import { createLog, type Log } from '../training-image/src/log.js';
import { startFakeExchange, type FakeExchange } from './fake-exchange/index.js';
import { localKeyFolder } from '../adapters/signing/from-spec.js';
import { ensureLocalKeyPair } from '../adapters/signing/local-keys.js';
import { UnverifiedVersionError } from '../adapters/storage/errors.js';
import { startS3Server, type S3Server } from './s3-server.js';

interface StackFlags {
  readonly env: string;
  readonly candles?: string;
  readonly exchangeUrl?: string;
  readonly pairs?: string;
  readonly dataDir: string;
  readonly retrain: boolean;
  readonly port: number;
  readonly serve: boolean;
}

const HOST = '127.0.0.1';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('a port is an integer from 0 (any free port) to 65535');
  }
  return port;
}

/**
 * Where a run's candles come from, as far as a published model cares: a model is only worth serving
 * with candles like the ones it was trained on (its scaler is fitted to their price range). The same
 * file (wherever it was named from) or the same exchange, whatever its URL.
 */
function sourceKind(source: DataSource): string {
  return source.kind === 'file' ? `file ${resolve(source.path)}` : `exchange ${source.exchange}`;
}

/**
 * The source of a published model, from its metrics.json (`data.source`); null when unreadable;
 * 'unverified' when its signature does not verify with this stack's key (a version published before
 * signing, or with another key pair), which serving would refuse.
 */
async function publishedSource(
  store: ArtifactStore,
  latest: LatestPointer,
): Promise<DataSource | 'unverified' | null> {
  try {
    const manifest = await store.readManifest(latest.pair, latest.version);
    const text = new TextDecoder().decode(await store.readFile(manifest, 'metrics.json'));
    const metrics = MetricsSchema.safeParse(JSON.parse(text));
    return metrics.success ? metrics.data.data.source : null;
  } catch (error) {
    return error instanceof UnverifiedVersionError ? 'unverified' : null;
  }
}

interface TrainOutcome {
  readonly summary: string[];
  readonly failures: number;
  readonly served: Pair[];
}

async function trainMissing(
  config: Config,
  store: ArtifactStore,
  flags: StackFlags,
  log: Log,
  isStopping: () => boolean,
): Promise<TrainOutcome> {
  const summary: string[] = [];
  const served: Pair[] = [];
  let failures = 0;
  const wanted = sourceKind(
    flags.candles === undefined
      ? { kind: 'exchange', exchange: config.exchange.id, url: config.exchange.url }
      : { kind: 'file', path: flags.candles },
  );
  const toTrain: { pair: Pair; hadVersion: boolean }[] = [];
  for (const pair of config.pairs) {
    if (isStopping()) break;
    const latest = await store.readLatest(pair);
    if (latest !== null && !flags.retrain) {
      const source = await publishedSource(store, latest);
      if (source === 'unverified') {
        log.info(
          'signing',
          `${pair}: version ${latest.version} is not signed by this stack's key; training again`,
        );
      }
      const published = source === null || source === 'unverified' ? null : sourceKind(source);
      if (source !== 'unverified' && (published === null || published === wanted)) {
        log.info('skip', `${pair}: version ${latest.version} already published (--retrain to train again)`);
        summary.push(`  ${pair.padEnd(10)} ${latest.version} (already published)`);
        served.push(pair);
        continue;
      }
      log.info(
        'source',
        `${pair}: version ${latest.version} was trained on ${published ?? 'unknown candles'}; training on ${wanted}`,
      );
    }
    toTrain.push({ pair, hadVersion: latest !== null });
  }
  if (toTrain.length === 0 || isStopping()) return { summary, failures, served };

  // TensorFlow.js takes seconds to load: only when there is something to train.
  const [{ trainRun }, { selectBackend }, { RunRecorder }, { thisMachine }, { RunRecords }] =
    await Promise.all([
      import('../training-image/src/pipeline/train-run.js'),
      import('../training-image/src/tf/backend.js'),
      import('../training-image/src/runs/recorder.js'),
      import('../training-image/src/runs/machine.js'),
      import('../adapters/storage/run-records.js'),
    ]);
  const backend = await selectBackend(config.training.backend);
  log.info('backend', `TensorFlow.js backend: ${backend.name}`);
  // The hourly job's run: every pair's point model, one shared scale network, each pair published.
  const { outcomes, network } = await trainRun({
    config,
    pairs: toTrain.map((t) => t.pair),
    store,
    backend,
    log,
    candlesFile: flags.candles === undefined ? undefined : resolve(flags.candles),
    isStopping,
    // Every run leaves a record beside the models: the dashboard's runs page and `npm run runs` read them.
    recorder: new RunRecorder({
      records: RunRecords.beside(store),
      config,
      machine: thisMachine(backend),
      log,
    }),
  });
  for (const outcome of outcomes) {
    const { pair } = outcome;
    if (outcome.status === 'published') {
      const { version, metrics } = outcome.result;
      const t = metrics.test;
      const d = metrics.distribution;
      const scale =
        d === undefined ? '' : `  scale ${d.scale}, CRPS skill ${(100 * d.crps_skill).toFixed(2)}%`;
      summary.push(
        `  ${pair.padEnd(10)} ${version}  test MAE ${t.mae.toFixed(2)}  naive MAE ${t.naive_mae.toFixed(2)}  skill ${t.skill.toFixed(3)}${scale}`,
      );
      served.push(pair);
    } else {
      failures += 1;
      summary.push(`  ${pair.padEnd(10)} FAILED: ${outcome.reason.split('\n')[0] ?? ''}`);
      // A pair whose new run failed still serves the version it had.
      if (toTrain.find((t) => t.pair === pair)?.hadVersion === true) served.push(pair);
    }
  }
  if (network !== null) {
    summary.push(
      `  shared scale network ${network.network.run}: trained on ${network.network.trained_on.join(', ')}`,
    );
  }
  return { summary, failures, served };
}

function pairQuery(pair: Pair): string {
  const [base, quote] = pair.split('/');
  return `currency=${base ?? ''}&compare=${quote ?? ''}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = new Command()
    .name('npm start --')
    .description(
      'Run the forecasting loop locally: S3-compatible server, exchange, training, then the API and dashboard',
    )
    .option('--env <name>', 'configuration under conf/ laid over conf/base', 'local')
    .option('--candles <file>', 'run offline: train on and serve from a CSV of hourly candles')
    .option('--exchange-url <url>', 'ccxt-compatible endpoint (default: the fake exchange, started here)')
    .option('--pairs <list>', "comma-separated pairs (default: the configuration's)")
    .option('--data-dir <dir>', 'where the local S3 server keeps its objects', '.local/s3')
    .option('--retrain', 'train even the pairs that already have a published model', false)
    .option('--port <port>', `port of the API and dashboard on ${HOST} (0: any free port)`, parsePort, 3000)
    .option('--no-serve', 'train, then exit instead of serving')
    .showHelpAfterError()
    .parse(argv)
    .opts<StackFlags>();
  const log = createLog('text');
  const stops: { readonly name: string; readonly stop: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((error: unknown) =>
        log.warn('stop', `${name}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    stops.length = 0;
  };

  // Ctrl-C while serving is the normal way out (exit 0); during training it abandons the run (130).
  let serving = false;
  let stopping = false;
  let requestStop: (signal: string) => void = () => {};
  const stopRequested = new Promise<string>((done) => (requestStop = done));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn('stop', `${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    log.info('stop', `${signal}: stopping the local stack`);
    if (serving) requestStop(signal);
    else void stopAll().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const base = loadConfig({
      env: flags.env,
      environment: { ...process.env, ...(flags.pairs ? { PAIRS: flags.pairs } : {}) },
    });
    for (const warning of base.warnings) log.warn('config_retired_key', warning);
    // Fail now rather than after minutes of training.
    if (flags.serve && flags.port !== 0) await checkPortFree(flags.port, HOST);
    if (flags.candles !== undefined && base.config.pairs.length > 1 && flags.pairs === undefined) {
      log.warn(
        'candles',
        `--candles: every pair (${base.config.pairs.join(', ')}) is trained and served from the same file; ` +
          `add --pairs with the file's pair to train only that one`,
      );
    }
    const fileCandles =
      flags.candles === undefined
        ? null
        : await FileCandles.read(resolve(flags.candles), {
            timeframeMs: timeframeToMs(base.config.market.interval),
            gapPolicy: base.config.market.gap_policy,
            maxFillGap: base.config.market.max_fill_gap,
          });

    const s3: S3Server = await startS3Server({
      directory: resolve(flags.dataDir),
      buckets: [base.config.storage.bucket],
    });
    stops.push({ name: 'S3-compatible server', stop: () => s3.close() });
    log.info('s3', `S3-compatible server on ${s3.endpoint}, objects in ${resolve(flags.dataDir)}`);

    let exchangeUrl = flags.exchangeUrl;
    if (flags.candles === undefined && exchangeUrl === undefined) {
      const exchange: FakeExchange = await startFakeExchange({ seed: base.config.training.seed });
      stops.push({ name: 'fake exchange', stop: () => exchange.close() });
      exchangeUrl = exchange.url;
      log.info('exchange', `fake exchange (generated candles) on ${exchange.url}`);
    }
    const config: Config = {
      ...base.config,
      exchange: { ...base.config.exchange, url: exchangeUrl ?? base.config.exchange.url },
      storage: { ...base.config.storage, endpoint: s3.endpoint },
    };

    // The local stack's own key pair, made once, outside the bucket's data: a page or process that can
    // write objects cannot make the local stack serve them.
    const keyFolder = localKeyFolder(config.storage.signing_key);
    if (keyFolder !== null) {
      ensureLocalKeyPair(keyFolder);
      log.info('signing', `models are signed with the key pair in ${keyFolder}`);
    }
    const store = ArtifactStore.fromConfig(config.storage, { keyUse: 'sign' });
    const { summary, failures, served } = await trainMissing(config, store, flags, log, () => stopping);
    log.info(
      'summary',
      `\nPublished models (${s3.endpoint}, bucket ${config.storage.bucket}):\n${summary.join('\n')}`,
    );
    if (!flags.serve) return failures === 0 ? 0 : 1;
    if (served.length === 0) {
      log.error('serve', 'no pair has a model to serve');
      return 1;
    }

    // The handlers' JSON request logs would drown the console; POWERTOOLS_LOG_LEVEL=INFO shows them.
    // Set before functions/ is first imported: Powertools reads the level when the logger is created.
    process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
    const [{ createRuntime }, { createHandlers }] = await Promise.all([
      import('../functions/runtime.js'),
      import('../functions/handlers/index.js'),
    ]);
    // The handlers get this configuration as it is: nothing goes through the environment.
    const runtime = createRuntime(config, fileCandles === null ? {} : { candles: fileCandles });
    stops.push({ name: 'runtime', stop: () => runtime.close() });

    let apiKeys = resolveApiKeys(config.serving.api_keys);
    let keySource = `serving.api_keys of conf/${flags.env}${process.env['API_KEYS'] ? ' and API_KEYS' : ''}`;
    if (apiKeys.length === 0) {
      apiKeys = [generateDevKey()];
      keySource = 'generated for this run: no serving.api_keys in the configuration, no API_KEYS';
    }
    const devKey = apiKeys[0] as string;
    // POST /models/reload takes this key only (deployed: IAM-signed requests), so usage keys cannot reload.
    const operatorKey = generateDevKey().replace(/^dev-/, 'operator-');
    const note =
      fileCandles === null
        ? `Candles from ${exchangeUrl === undefined ? config.exchange.id : `the exchange at ${exchangeUrl}`}.`
        : `Offline: candles from ${fileCandles.file}, which ends with the candle of ` +
          `${new Date(fileCandles.last.openTime).toISOString().slice(0, 16).replace('T', ' ')} UTC; ` +
          'predictions are for the hour after it.';
    const api = await startLocalApi({
      handlers: createHandlers(runtime),
      apiKeys,
      operatorKeys: [operatorKey],
      corsOrigins: config.serving.cors_origins,
      port: flags.port,
      host: HOST,
      pages: dashboardPages({
        apiKey: devKey,
        note,
        generated: fileCandles === null && flags.exchangeUrl === undefined,
      }),
      onRequest: (r) =>
        log.info(
          'request',
          `${r.method} ${r.path} ${r.status} ${r.ms.toFixed(1)} ms${r.by === 'gateway' ? ' (gateway)' : ''}`,
        ),
    });
    stops.push({ name: 'HTTP server', stop: () => api.close() });
    serving = true;

    const pair = served[0] as Pair;
    console.log(
      [
        '',
        `Local API and dashboard listening on ${api.url}`,
        `  dashboard  ${api.url}/`,
        `  API key    ${devKey}  (${keySource})`,
        `  operator   ${operatorKey}  (GET /status, POST /models/reload; generated for this run)`,
        ...(fileCandles === null ? [] : [`  offline    ${note}`]),
        '  try:',
        `    curl -H 'x-api-key: ${devKey}' '${api.url}/predict?${pairQuery(pair)}'`,
        `    curl ${api.url}/readyz`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    const signal = await stopRequested;
    await stopAll();
    log.info('stop', `stopped (${signal})`);
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
    const known = error instanceof ConfigError || error instanceof ApiKeyError;
    console.error(known ? error.message : `start: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
