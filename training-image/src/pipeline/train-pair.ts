import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactStore, Manifest } from '../../../core/artifacts/index.js';
import { ARTIFACT_FILES, newVersion } from '../../../core/artifacts/index.js';
import type { Config, Pair } from '../../../core/config/index.js';
import {
  CLOSE_INDEX,
  FEATURE_NAMES,
  prepareTrainingData,
  scalerToJson,
  type SequenceSet,
} from '../../../core/features/index.js';
import type { Candle } from '../../../core/market/index.js';
import { forecastMetrics, MetricsSchema, type Metrics } from '../../../core/metrics/index.js';
import { formatDuration, type Log } from '../log.js';
import { ForecastNetwork } from '../model/network.js';
import { SeededRandom } from '../model/random.js';
import { compareOutputs, exportToOnnx, runOnnx } from '../onnx/index.js';
import type { BackendInfo } from '../tf/backend.js';
import { fit } from '../train/fit.js';
import { startWorkersFor } from '../train/parallel/workers-for.js';
import { meanSquaredError, predictWindows } from '../train/windows.js';
import { loadCandles, type CandleInput } from './candles.js';
import { ParityError, ValidationGateError } from './errors.js';

export interface TrainPairOptions extends CandleInput {
  readonly config: Config;
  readonly pair: Pair;
  readonly store: ArtifactStore;
  readonly backend: BackendInfo;
  readonly log: Log;
  readonly now?: () => Date;
}

export interface TrainPairResult {
  readonly version: string;
  readonly manifest: Manifest;
  readonly metrics: Metrics;
  /** The test windows and TensorFlow.js's scaled predictions for them, for callers that check or plot. */
  readonly test: { readonly windows: SequenceSet; readonly predictions: Float32Array };
}

/**
 * The hourly job for one pair: candles -> features -> LSTM -> ONNX -> parity ->
 * publish. Any failure before the publish step leaves what is served untouched;
 * working files live in a temporary folder removed whatever happens.
 */
export async function trainPair(options: TrainPairOptions): Promise<TrainPairResult> {
  const { config, pair, log } = options;
  const now = options.now ?? (() => new Date());
  const started = performance.now();
  const durations: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      durations[name] = (performance.now() - t0) / 1000;
    }
  };

  const loaded = await timed('fetch', () => loadCandles(config, pair, options, log));
  log.info('candles', `${pair}: ${loaded.candles.length} candles from ${loaded.source}`, {
    pair,
    candles: loaded.candles.length,
    filled: loaded.report.filledCount,
  });
  if (loaded.report.filledCount > 0) {
    log.warn('gaps_filled', `${pair}: filled ${loaded.report.filledCount} missing candle(s)`, {
      gaps: loaded.report.filledGaps.length,
    });
  }

  const data = await timed('features', () =>
    prepareTrainingData(loaded.candles, {
      sequenceLength: config.features.sequence_length,
      testSize: config.features.test_size,
      valSize: config.features.val_size,
    }),
  );
  const t = config.training;
  log.info(
    'data',
    `${pair}: ${data.train.count} training, ${data.val.count} validation, ${data.test.count} test windows of ${config.features.sequence_length} x ${FEATURE_NAMES.length}`,
  );

  const network = ForecastNetwork.initialize(
    {
      sequenceLength: config.features.sequence_length,
      featureCount: FEATURE_NAMES.length,
      hiddenSize: t.hidden_size,
      layers: t.number_of_layers,
      dropoutRate: t.dropout_rate,
      residualFeature: t.target_mode === 'residual' ? CLOSE_INDEX : undefined,
    },
    new SeededRandom(t.seed),
  );
  const workDir = await mkdtemp(join(tmpdir(), `forecast-${pair.replace('/', '_')}-`));
  const workers = await startWorkersFor(t.workers, options.backend, network.shape);
  try {
    const result = await timed('training', () =>
      fit(network, data.train, data.val, {
        batchSize: t.train_batch_size,
        valBatchSize: t.val_batch_size,
        maxEpochs: t.max_epochs,
        patience: t.early_stopping_patience,
        learningRate: t.learning_rate,
        weightDecay: t.weight_decay,
        seed: t.seed,
        workers,
        onEpoch: (p) =>
          log.info(
            'epoch',
            `${pair} epoch ${p.epoch}/${p.maxEpochs}: train loss ${p.trainLoss.toExponential(3)}, val loss ${p.valLoss.toExponential(3)}${p.improved ? ' *' : ''}, ${p.sequencesPerSecond.toFixed(1)} seq/s, ${formatDuration(p.seconds)}/epoch, at most ${formatDuration(p.etaSeconds)} left`,
            {
              pair,
              epoch: p.epoch,
              max_epochs: p.maxEpochs,
              train_loss: p.trainLoss,
              val_loss: p.valLoss,
              improved: p.improved,
              sequences_per_second: p.sequencesPerSecond,
              eta_seconds: p.etaSeconds,
            },
          ),
      }),
    );
    log.info(
      'trained',
      `${pair}: best epoch ${result.bestEpoch} of ${result.history.length}${result.stoppedEarly ? ' (early stop)' : ''}, val loss ${result.bestValLoss.toExponential(3)}, ${result.sequencesPerSecond.toFixed(1)} seq/s on ${options.backend.name}${workers === null ? '' : ` with ${workers.size} worker threads`}`,
    );

    const testPredicted = predictWindows(network, data.test, evaluationBatch(t.val_batch_size));
    const testLoss = meanSquaredError(testPredicted, data.test.y);
    const best = result.history[result.bestEpoch - 1];
    const meanValTest = (result.bestValLoss + testLoss) / 2;
    const accuracy = forecastMetrics(
      testPrices(loaded.candles, data.trainRows, data.test, testPredicted, data.scaler),
    );
    log.info(
      'test',
      `${pair} test: MAE ${accuracy.mae.toFixed(2)}, naive MAE ${accuracy.naiveMae.toFixed(2)}, skill ${accuracy.skill.toFixed(3)}, direction ${(100 * accuracy.directionAccuracy).toFixed(1)}%`,
      { pair, ...accuracy },
    );
    if (!(meanValTest < config.validation.max_mean_loss)) {
      throw new ValidationGateError(meanValTest, config.validation.max_mean_loss);
    }

    const weights = network.toWeights();
    const onnx = await timed('export', () => exportToOnnx(weights, { docString: `crypto-forecast ${pair}` }));
    const parity = await timed('parity', () =>
      checkParity(network, onnx, data.test, testPredicted, config, new SeededRandom(t.seed + 1)),
    );
    log.info(
      'parity',
      `${pair}: ONNX matches TensorFlow.js on ${parity.windows} windows (max abs error ${parity.maxAbsError.toExponential(2)})`,
    );

    const version = newVersion(now());
    const metrics = MetricsSchema.parse({
      schema_version: 1,
      pair,
      version,
      trained_at: now().toISOString(),
      backend: { name: options.backend.name, provider: options.backend.provider },
      model: {
        sequence_length: config.features.sequence_length,
        feature_count: FEATURE_NAMES.length,
        hidden_size: t.hidden_size,
        layers: t.number_of_layers,
        target: config.features.target,
        target_mode: t.target_mode,
      },
      parameters: {
        features: config.features,
        training: t,
        validation: config.validation,
        market: config.market,
      },
      data: {
        source: loaded.source,
        first_open_time: new Date(data.dataRange.first).toISOString(),
        last_open_time: new Date(data.dataRange.last).toISOString(),
        candles: loaded.candles.length,
        filled_candles: loaded.report.filledCount,
        train_rows: data.trainRows,
        test_rows: data.testRows,
        train_windows: data.train.count,
        val_windows: data.val.count,
        test_windows: data.test.count,
      },
      losses: {
        train: best?.trainLoss ?? Number.NaN,
        val: result.bestValLoss,
        test: testLoss,
        mean_val_test: meanValTest,
        max_mean_loss: config.validation.max_mean_loss,
      },
      test: {
        windows: accuracy.windows,
        mae: accuracy.mae,
        rmse: accuracy.rmse,
        mape: accuracy.mape,
        naive_mae: accuracy.naiveMae,
        naive_rmse: accuracy.naiveRmse,
        skill: accuracy.skill,
        direction_accuracy: accuracy.directionAccuracy,
      },
      history: result.history.map((e) => ({
        epoch: e.epoch,
        train_loss: e.trainLoss,
        val_loss: e.valLoss,
        seconds: e.seconds,
        sequences_per_second: e.sequencesPerSecond,
      })),
      training: {
        epochs_run: result.history.length,
        best_epoch: result.bestEpoch,
        stopped_early: result.stoppedEarly,
        sequences_per_second: result.sequencesPerSecond,
      },
      parity: {
        windows: parity.windows,
        max_abs_error: parity.maxAbsError,
        max_rel_error: parity.maxRelError,
        atol: config.conversion.atol,
        rtol: config.conversion.rtol,
      },
      durations_seconds: { ...durations, total: (performance.now() - started) / 1000 },
    });

    // Written to disk first: the files published are exactly the files a person can inspect after a failure.
    const files = {
      'model.onnx': onnx,
      'scaler.json': new TextEncoder().encode(`${JSON.stringify(scalerToJson(data.scaler), null, 2)}\n`),
      'metrics.json': new TextEncoder().encode(`${JSON.stringify(metrics, null, 2)}\n`),
    };
    for (const name of ARTIFACT_FILES) await writeFile(join(workDir, name), files[name]);
    const manifest = await timed('publish', async () =>
      options.store.publish({
        pair,
        version,
        files: {
          'model.onnx': await readFile(join(workDir, 'model.onnx')),
          'scaler.json': await readFile(join(workDir, 'scaler.json')),
          'metrics.json': await readFile(join(workDir, 'metrics.json')),
        },
        model: {
          sequence_length: config.features.sequence_length,
          feature_count: FEATURE_NAMES.length,
          features: [...FEATURE_NAMES],
          hidden_size: t.hidden_size,
          layers: t.number_of_layers,
        },
      }),
    );
    const pruned = await options.store.pruneVersions(pair, config.storage.keep_versions);
    log.info(
      'published',
      `${pair}: published version ${version}${pruned.length > 0 ? `, removed ${pruned.length} old version(s)` : ''}`,
      {
        pair,
        version,
        pruned,
      },
    );
    return { version, manifest, metrics, test: { windows: data.test, predictions: testPredicted } };
  } finally {
    await workers?.close();
    network.dispose();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The original evaluated one window at a time (val_batch_size 1); the loss is the same in larger batches, only slower. */
function evaluationBatch(configured: number): number {
  return Math.max(configured, 256);
}

/** Test-window predictions back in price units beside the real next close and the window's last close. */
function testPrices(
  candles: readonly Candle[],
  trainRows: number,
  test: SequenceSet,
  predictedScaled: Float32Array,
  scaler: { inverseColumn(values: ArrayLike<number>, column?: 'close'): Float64Array },
): { predicted: Float64Array; actual: Float64Array; lastClose: Float64Array } {
  const actual = new Float64Array(test.count);
  const lastClose = new Float64Array(test.count);
  for (let i = 0; i < test.count; i++) {
    const labelRow = trainRows + i + test.sequenceLength;
    actual[i] = (candles[labelRow] as Candle).close;
    lastClose[i] = (candles[labelRow - 1] as Candle).close;
  }
  return { predicted: scaler.inverseColumn(predictedScaled, 'close'), actual, lastClose };
}

interface ParitySummary {
  readonly windows: number;
  readonly maxAbsError: number;
  readonly maxRelError: number;
}

/** onnxruntime-node must give TensorFlow.js's outputs on random windows and on the real test windows. */
async function checkParity(
  network: ForecastNetwork,
  onnx: Uint8Array,
  test: SequenceSet,
  tfjsTest: Float32Array,
  config: Config,
  random: SeededRandom,
): Promise<ParitySummary> {
  const tolerance = { atol: config.conversion.atol, rtol: config.conversion.rtol };
  const { sequenceLength, featureCount } = test;
  const count = config.conversion.random_windows;
  const randomWindows = {
    count,
    sequenceLength,
    featureCount,
    x: random.uniform(count * sequenceLength * featureCount, -1, 1),
  };
  const checks = [
    { what: 'random windows', set: randomWindows, expected: predictWindows(network, randomWindows, 256) },
    { what: 'test windows', set: test, expected: tfjsTest },
  ];
  let maxAbsError = 0;
  let maxRelError = 0;
  let windows = 0;
  for (const check of checks) {
    const actual = await runOnnx(onnx, check.set.x, check.set.count, sequenceLength, featureCount);
    const report = compareOutputs(check.expected, actual, tolerance);
    if (!report.ok) throw new ParityError(check.what, report.maxAbsError, report.failures);
    maxAbsError = Math.max(maxAbsError, report.maxAbsError);
    maxRelError = Math.max(maxRelError, report.maxRelError);
    windows += report.count;
  }
  return { windows, maxAbsError, maxRelError };
}
