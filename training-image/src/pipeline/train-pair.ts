import type { ArtifactStore } from '../../../adapters/storage/index.js';
import { newVersion, type Manifest } from '../../../core/artifacts/index.js';
import type { Config, Pair } from '../../../core/config/index.js';
import { prepareTrainingData, type SequenceSet } from '../../../core/features/index.js';
import { describeDataSource, type Metrics } from '../../../core/metrics/index.js';
import { measureDistribution } from '../distribution/measure.js';
import type { Log } from '../log.js';
import { SeededRandom } from '../model/random.js';
import { exportToOnnx } from '../onnx/index.js';
import type { RunObserver } from '../runs/observer.js';
import type { BackendInfo } from '../tf/backend.js';
import { loadCandles, type CandleInput, type LoadedCandles } from './candles.js';
import { passGates } from './gates.js';
import { buildMetrics } from './metrics.js';
import { checkParity } from './parity-check.js';
import { publishModel } from './publish.js';
import { Stopwatch } from './stopwatch.js';
import { trainModel } from './train-model.js';

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
 * The hourly job for one pair: candles -> features -> LSTM -> gates -> ONNX -> parity -> publish.
 * Any failure before the publish step leaves what is served untouched. The files published are the
 * bytes computed here, with no working copy on disk: metrics.json, in the store, is what to inspect.
 */
export async function trainPair(options: TrainPairOptions): Promise<TrainPairResult> {
  const { config, pair, log, backend } = options;
  const now = options.now ?? (() => new Date());
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
  const { network, test } = trained;
  // Row r of the training data is candle warmupRows + r: the distribution maps windows to candles.
  const windowCandles = loaded.candles.slice(data.warmupRows);
  try {
    const distribution = await clock.time('distribution', () =>
      measureDistribution({
        config,
        candles: windowCandles,
        data,
        network,
        testForecasts: test.prices.predicted,
        log,
        label: pair,
        fields: { pair },
      }),
    );
    options.observer?.distribution(distribution, windowCandles);
    const { meanValTest } = passGates({
      validation: config.validation,
      bestValLoss: trained.fit.bestValLoss,
      testLoss: test.loss,
      accuracy: test.accuracy,
      distribution: distribution.metrics,
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

    const trainedAt = now();
    const version = newVersion(trainedAt);
    const metrics = buildMetrics({
      config,
      pair,
      version,
      trainedAt,
      backend,
      loaded,
      data,
      trained,
      meanValTest,
      parity,
      durations: clock.durations(),
      distribution: distribution.metrics,
    });
    const { manifest, promoted, notPromotedBecause } = await publishModel({
      store: options.store,
      config,
      pair,
      version,
      onnx,
      scaler: data.scaler,
      metrics,
      distribution: distribution.spec,
      log,
    });
    return {
      version,
      manifest,
      promoted,
      notPromotedBecause,
      metrics,
      test: { windows: data.test, predictions: test.predictions },
    };
  } finally {
    network.dispose();
  }
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
