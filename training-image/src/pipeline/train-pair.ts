import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactStore, Manifest } from '../../../core/artifacts/index.js';
import { ARTIFACT_FILES, newVersion } from '../../../core/artifacts/index.js';
import type { Config, Pair } from '../../../core/config/index.js';
import {
  FEATURE_NAMES,
  prepareTrainingData,
  scalerToJson,
  type SequenceSet,
} from '../../../core/features/index.js';
import { MetricsSchema, type Metrics } from '../../../core/metrics/index.js';
import type { Log } from '../log.js';
import type { ForecastNetwork } from '../model/network.js';
import { SeededRandom } from '../model/random.js';
import { compareOutputs, exportToOnnx, runOnnx } from '../onnx/index.js';
import type { BackendInfo } from '../tf/backend.js';
import { predictWindows } from '../train/windows.js';
import { loadCandles, type CandleInput } from './candles.js';
import { backendSummary, modelSummary } from './summary.js';
import { ParityError, SkillGateError, ValidationGateError } from './errors.js';
import { trainModel } from './train-model.js';

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
  const trained = await timed('training', () =>
    trainModel({
      config,
      candles: loaded.candles,
      data,
      backend: options.backend,
      log,
      label: pair,
      fields: { pair },
    }),
  );
  const { network, fit: result } = trained;
  const { predictions: testPredicted, loss: testLoss, accuracy } = trained.test;
  let workDir: string | undefined;
  try {
    const best = result.history[result.bestEpoch - 1];
    const meanValTest = (result.bestValLoss + testLoss) / 2;
    if (!(meanValTest < config.validation.max_mean_loss)) {
      throw new ValidationGateError(meanValTest, config.validation.max_mean_loss);
    }
    // The promotion gate: a model whose test skill is under validation.min_skill (0: one that loses to
    // "next close = last close") is not worth serving, so the version already published keeps serving.
    const minSkill = config.validation.min_skill;
    if (minSkill !== null && !(accuracy.skill >= minSkill)) {
      throw new SkillGateError({
        skill: accuracy.skill,
        minSkill,
        mae: accuracy.mae,
        naiveMae: accuracy.naiveMae,
      });
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
      backend: backendSummary(options.backend),
      model: modelSummary(config),
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
        shrink_factor: trained.shrinkage?.factor ?? null,
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
    const dir = await mkdtemp(join(tmpdir(), `forecast-${pair.replace('/', '_')}-`));
    workDir = dir;
    const files = {
      'model.onnx': onnx,
      'scaler.json': new TextEncoder().encode(`${JSON.stringify(scalerToJson(data.scaler), null, 2)}\n`),
      'metrics.json': new TextEncoder().encode(`${JSON.stringify(metrics, null, 2)}\n`),
    };
    for (const name of ARTIFACT_FILES) await writeFile(join(dir, name), files[name]);
    const manifest = await timed('publish', async () =>
      options.store.publish({
        pair,
        version,
        files: {
          'model.onnx': await readFile(join(dir, 'model.onnx')),
          'scaler.json': await readFile(join(dir, 'scaler.json')),
          'metrics.json': await readFile(join(dir, 'metrics.json')),
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
    network.dispose();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  }
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
