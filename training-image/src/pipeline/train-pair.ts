import type { ArtifactStore } from '../../../adapters/storage/index.js';
import { newVersion, type Manifest } from '../../../core/artifacts/index.js';
import type { Config, Pair } from '../../../core/config/index.js';
import type { ForecastDistribution } from '../../../core/distribution/index.js';
import { prepareTrainingData, type SequenceSet, type TrainingData } from '../../../core/features/index.js';
import type { Candle } from '../../../core/market/index.js';
import { describeDataSource, type Metrics } from '../../../core/metrics/index.js';
import { measureDistribution, type MeasuredDistribution } from '../distribution/measure.js';
import type { Log } from '../log.js';
import { SeededRandom } from '../model/random.js';
import { exportToOnnx } from '../onnx/index.js';
import type { RunObserver } from '../runs/observer.js';
import type { BackendInfo } from '../tf/backend.js';
import { loadCandles, type CandleInput, type LoadedCandles } from './candles.js';
import { passGates } from './gates.js';
import { buildMetrics } from './metrics.js';
import { checkParity, type ParitySummary } from './parity-check.js';
import { publishModel } from './publish.js';
import type { PairScale } from './shared-network.js';
import { Stopwatch } from './stopwatch.js';
import { trainModel, type TrainedModel } from './train-model.js';

export interface TrainPairOptions extends CandleInput {
  readonly config: Config;
  readonly pair: Pair;
  readonly store: ArtifactStore;
  readonly backend: BackendInfo;
  readonly log: Log;
  readonly now?: () => Date;
  /** Told what the run measured as it goes, for its record (training-image/src/runs/). */
  readonly observer?: RunObserver;
}

export interface TrainPairResult {
  readonly version: string;
  readonly manifest: Manifest;
  /** Whether latest.json now points at this version; why not, when it does not. */
  readonly promoted: boolean;
  readonly notPromotedBecause: string | null;
  readonly metrics: Metrics;
  /** The test windows and TensorFlow.js's scaled predictions for them, for callers that check or plot. */
  readonly test: { readonly windows: SequenceSet; readonly predictions: Float32Array };
}

/**
 * A pair trained and checked, nothing published yet: its point model (exported to ONNX and checked against
 * TensorFlow.js), its own linear distribution, and the windows the shared scale network reads. Holds no
 * TensorFlow.js memory.
 */
export interface PreparedPair {
  readonly pair: Pair;
  readonly loaded: LoadedCandles;
  readonly data: TrainingData;
  /** The candles the windows index (the loaded ones after the feature set's warm-up). */
  readonly candles: readonly Candle[];
  readonly trained: Omit<TrainedModel, 'network'>;
  readonly distribution: MeasuredDistribution;
  readonly onnx: Uint8Array;
  readonly parity: ParitySummary;
  readonly clock: Stopwatch;
}

/**
 * The hourly job's first half for one pair: candles -> features -> LSTM -> point gates -> ONNX -> parity,
 * and the pair's linear distribution. Throws the gate's or step's error; nothing is published.
 */
export async function preparePair(options: Omit<TrainPairOptions, 'store' | 'now'>): Promise<PreparedPair> {
  const { config, pair, log, backend } = options;
  const clock = new Stopwatch();

  const loaded = await clock.time('fetch', () => loadCandles(config, pair, options, log));
  logCandles(log, pair, loaded);
  const data = await clock.time('features', () =>
    prepareTrainingData(loaded.candles, {
      sequenceLength: config.features.sequence_length,
      testSize: config.features.test_size,
      valSize: config.features.val_size,
      featureSet: config.features.set,
    }),
  );
  options.observer?.candles(loaded, data);
  const trained = await clock.time('training', () =>
    trainModel({ config, data, backend, log, label: pair, fields: { pair } }),
  );
  options.observer?.trained(trained);
  const { network, test, ...rest } = trained;
  // Row r of the training data is candle warmupRows + r: the distribution maps windows to candles.
  const candles = loaded.candles.slice(data.warmupRows);
  try {
    const distribution = await clock.time('distribution', () =>
      measureDistribution({
        config,
        candles,
        data,
        network,
        testForecasts: test.prices.predicted,
        log,
        label: pair,
        fields: { pair },
      }),
    );
    options.observer?.distribution(distribution, candles);
    // The point model's gates here; the distribution's once its scale is chosen (publishPair).
    passGates({
      validation: config.validation,
      bestValLoss: trained.fit.bestValLoss,
      testLoss: test.loss,
      accuracy: test.accuracy,
    });
    const onnx = await clock.time('export', () =>
      exportToOnnx(network.toWeights(), { docString: `crypto-forecast ${pair}` }),
    );
    const parity = await clock.time('parity', () =>
      checkParity(
        network,
        onnx,
        data.test,
        test.predictions,
        config,
        new SeededRandom(config.training.seed + 1),
      ),
    );
    log.info(
      'parity',
      `${pair}: ONNX matches TensorFlow.js on ${parity.windows} windows (max abs error ${parity.maxAbsError.toExponential(2)})`,
    );
    return { pair, loaded, data, candles, trained: { ...rest, test }, distribution, onnx, parity, clock };
  } finally {
    network.dispose();
  }
}

export interface PublishPairOptions {
  readonly config: Config;
  readonly store: ArtifactStore;
  readonly backend: BackendInfo;
  readonly log: Log;
  readonly now?: () => Date;
  /** The shared network's scale for this pair, when the run trained one; absent: the linear correction. */
  readonly scale?: PairScale | undefined;
}

/**
 * The second half: the served distribution (the shared network's where it won on validation, else the pair's
 * linear correction), its gate, metrics.json, and the version published (scale.onnx with it when the network
 * serves). The files published are the bytes computed here, with no working copy on disk.
 */
export async function publishPair(
  prepared: PreparedPair,
  options: PublishPairOptions,
): Promise<TrainPairResult> {
  const { config, log, backend } = options;
  const { pair, data, trained } = prepared;
  const now = options.now ?? (() => new Date());
  const served = options.scale?.served ?? {
    spec: prepared.distribution.spec,
    metrics: { ...prepared.distribution.metrics, selection: null },
    scaleOnnx: null,
  };
  const { meanValTest } = passGates({
    validation: config.validation,
    bestValLoss: trained.fit.bestValLoss,
    testLoss: trained.test.loss,
    accuracy: trained.test.accuracy,
    distribution: served.metrics,
  });
  const trainedAt = now();
  const version = newVersion(trainedAt);
  const metrics = buildMetrics({
    config,
    pair,
    version,
    trainedAt,
    backend,
    loaded: prepared.loaded,
    data,
    trained,
    meanValTest,
    parity: prepared.parity,
    durations: prepared.clock.durations(),
    distribution: served.metrics,
  });
  const { manifest, promoted, notPromotedBecause } = await publishModel({
    store: options.store,
    config,
    pair,
    version,
    onnx: prepared.onnx,
    scaler: data.scaler,
    metrics,
    distribution: served.spec,
    ...(served.scaleOnnx === null ? {} : { scaleOnnx: served.scaleOnnx }),
    log,
  });
  return {
    version,
    manifest,
    promoted,
    notPromotedBecause,
    metrics,
    test: { windows: data.test, predictions: trained.test.predictions },
  };
}

/** What a pair serves: distribution.json, its metrics, and the network's graph when the network serves. */
export interface ServedScale {
  readonly spec: ForecastDistribution;
  readonly metrics: MeasuredDistribution['metrics'];
  readonly scaleOnnx: Uint8Array | null;
  /** Its test windows as scored, when the shared network serves (the linear one's are the pair's own). */
  readonly test?: MeasuredDistribution['test'];
}

/**
 * One pair alone, its own linear correction (no shared network): what `--pair` runs and tests use.
 * Any failure before the publish step leaves what is served untouched.
 */
export async function trainPair(options: TrainPairOptions): Promise<TrainPairResult> {
  const prepared = await preparePair(options);
  return publishPair(prepared, options);
}

function logCandles(log: Log, pair: Pair, loaded: LoadedCandles): void {
  log.info('candles', `${pair}: ${loaded.candles.length} candles from ${describeDataSource(loaded.source)}`, {
    pair,
    candles: loaded.candles.length,
    filled: loaded.report.filledCount,
  });
  if (loaded.report.filledCount > 0) {
    log.warn('gaps_filled', `${pair}: filled ${loaded.report.filledCount} missing candle(s)`, {
      gaps: loaded.report.filledGaps.length,
    });
  }
}
