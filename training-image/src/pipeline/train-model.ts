import type { Config } from '../../../core/config/index.js';
import { lastStepValues, type TrainingData } from '../../../core/features/index.js';
import { forecastMetrics, type ForecastMetrics } from '../../../core/metrics/index.js';
import { formatDuration, type Log, type LogFields } from '../log.js';
import { ForecastNetwork } from '../model/network.js';
import { SeededRandom } from '../model/random.js';
import type { BackendInfo } from '../tf/backend.js';
import { residualScale } from '../train/residual-scale.js';
import { shrinkTowardNaive, type Shrinkage } from '../train/shrink.js';
import { fit, type FitResult } from '../train/fit.js';
import { startWorkersFor } from '../train/parallel/workers-for.js';
import { meanSquaredError, predictWindows } from '../train/windows.js';

/**
 * Windows per forward pass when predicting validation and test windows. The original evaluated one at
 * a time; the loss is the same in any batch size, only slower in small ones.
 */
const EVALUATION_BATCH = 256;

export interface TrainModelOptions {
  readonly config: Config;
  readonly data: TrainingData;
  readonly backend: BackendInfo;
  readonly log: Log;
  /** Starts every log line, e.g. `BTC/USDT` or `BTC/USDT fold 2/3`. */
  readonly label: string;
  /** Added to every log event's fields, e.g. `{ pair, fold }`. */
  readonly fields?: LogFields;
}

/** A test window's forecast in price units, beside the real next close and the naive forecast. */
export interface TestPrices {
  readonly predicted: Float64Array;
  readonly actual: Float64Array;
  /** The window's last close: the naive forecast "next close = last close". */
  readonly lastClose: Float64Array;
}

export interface TrainedModel {
  /** Holds the best epoch's weights; the caller owns it and must dispose it. */
  readonly network: ForecastNetwork;
  readonly fit: FitResult;
  /** Residual mode with training.shrink_toward_naive: the factor kept on the predicted change. */
  readonly shrinkage: Shrinkage | null;
  readonly test: {
    /** Scaled predictions, as the network outputs them (what the ONNX parity check compares). */
    readonly predictions: Float32Array;
    /** Scaled MSE against the test labels. */
    readonly loss: number;
    readonly prices: TestPrices;
    readonly accuracy: ForecastMetrics;
  };
}

/**
 * The part of a training run that the hourly job and the walk-forward backtest share, so the backtest
 * measures the network the job publishes: build the network from the configuration (seed, target mode),
 * fit it with early stopping, then predict the test windows and score them in prices beside the naive
 * forecast. Logs every epoch and the test scores.
 */
export async function trainModel(options: TrainModelOptions): Promise<TrainedModel> {
  const { config, data, log, label, backend } = options;
  const fields = options.fields ?? {};
  const t = config.training;
  // The data fixes the input (its feature set's width and where the close is), never a constant: a
  // network built for 9 columns would be exported with an ONNX input the scaler does not fill.
  const featureCount = data.train.featureCount;
  const closeIndex = data.closeIndex;
  log.info(
    'data',
    `${label}: ${data.train.count} training, ${data.val.count} validation, ${data.test.count} test windows of ${config.features.sequence_length} x ${featureCount} (feature set ${data.scaler.featureSet})`,
    {
      ...fields,
      train_windows: data.train.count,
      val_windows: data.val.count,
      test_windows: data.test.count,
    },
  );

  let network = ForecastNetwork.initialize(
    {
      sequenceLength: config.features.sequence_length,
      featureCount,
      hiddenSize: t.hidden_size,
      layers: t.number_of_layers,
      dropoutRate: t.dropout_rate,
      residualFeature: t.target_mode === 'residual' ? closeIndex : undefined,
      outputScale: t.target_mode === 'residual' ? residualScale(data.train, closeIndex) : undefined,
    },
    new SeededRandom(t.seed),
  );
  try {
    // The workers only compute gradients: they are closed as soon as fitting ends.
    const workers = await startWorkersFor(t.workers, backend, network.shape);
    let result: FitResult;
    try {
      result = await fit(network, data.train, data.val, {
        batchSize: t.train_batch_size,
        valBatchSize: EVALUATION_BATCH,
        maxEpochs: t.max_epochs,
        patience: t.early_stopping_patience,
        learningRate: t.learning_rate,
        weightDecay: t.weight_decay,
        seed: t.seed,
        workers,
        onEpoch: (p) =>
          log.info(
            'epoch',
            `${label} epoch ${p.epoch}/${p.maxEpochs}: train loss ${p.trainLoss.toExponential(3)}, val loss ${p.valLoss.toExponential(3)}${p.improved ? ' *' : ''}, ${p.sequencesPerSecond.toFixed(1)} seq/s, ${formatDuration(p.seconds)}/epoch, at most ${formatDuration(p.etaSeconds)} left`,
            {
              ...fields,
              epoch: p.epoch,
              max_epochs: p.maxEpochs,
              train_loss: p.trainLoss,
              val_loss: p.valLoss,
              improved: p.improved,
              sequences_per_second: p.sequencesPerSecond,
              eta_seconds: p.etaSeconds,
            },
          ),
      });
    } finally {
      await workers?.close();
    }
    log.info(
      'trained',
      `${label}: best epoch ${result.bestEpoch} of ${result.history.length}${result.stoppedEarly ? ' (early stop)' : ''}, val loss ${result.bestValLoss.toExponential(3)}, ${result.sequencesPerSecond.toFixed(1)} seq/s on ${backend.name}${workers === null ? '' : ` with ${workers.size} worker threads`}`,
      { ...fields, best_epoch: result.bestEpoch, epochs_run: result.history.length },
    );

    let shrinkage: Shrinkage | null = null;
    if (t.target_mode === 'residual' && t.shrink_toward_naive) {
      shrinkage = shrinkTowardNaive(
        data.val,
        predictWindows(network, data.val, EVALUATION_BATCH),
        closeIndex,
      );
      const weights = network.toWeights();
      const shrunk = ForecastNetwork.fromWeights({
        ...weights,
        outputScale: (weights.outputScale ?? 1) * shrinkage.factor,
      });
      network.dispose();
      network = shrunk;
      log.info(
        'shrink',
        `${label}: keeping ${shrinkage.factor.toFixed(2)} x the network's predicted change, the lowest validation MAE (${shrinkage.mae.toExponential(3)} vs ${shrinkage.naiveMae.toExponential(3)} naive, scaled)`,
        {
          ...fields,
          shrink_factor: shrinkage.factor,
          val_mae: shrinkage.mae,
          val_naive_mae: shrinkage.naiveMae,
        },
      );
    }

    const predictions = predictWindows(network, data.test, EVALUATION_BATCH);
    const loss = meanSquaredError(predictions, data.test.y);
    const prices: TestPrices = {
      predicted: pricesFromScaled(data, predictions, closeIndex),
      ...data.testCloses,
    };
    const accuracy = forecastMetrics(prices);
    log.info(
      'test',
      `${label} test: MAE ${accuracy.mae.toFixed(2)}, naive MAE ${accuracy.naiveMae.toFixed(2)}, skill ${accuracy.skill.toFixed(3)}, direction ${(100 * accuracy.directionAccuracy).toFixed(1)}%`,
      { ...fields, ...accuracy },
    );
    return { network, fit: result, shrinkage, test: { predictions, loss, prices, accuracy } };
  } catch (error) {
    network.dispose();
    throw error;
  }
}

/**
 * The test forecasts in prices, each read from its window's last close as serving reads it
 * (MinMaxScaler.inverseFromAnchor): a forecast shrunk to "no change" scores exactly the naive MAE.
 */
function pricesFromScaled(data: TrainingData, predictions: Float32Array, closeIndex: number): Float64Array {
  const lastScaled = lastStepValues(data.test, closeIndex);
  const { lastClose } = data.testCloses;
  return Float64Array.from(predictions, (scaled, k) =>
    data.scaler.inverseFromAnchor(scaled, { scaled: lastScaled[k]!, raw: lastClose[k]! }),
  );
}
