import type { TrainingData } from '../../../core/features/index.js';
import type { Candle } from '../../../core/market/index.js';
import type { FittedDistribution } from '../distribution/fit.js';
import type { LoadedCandles } from '../pipeline/candles.js';
import type { TrainedModel } from '../pipeline/train-model.js';

/**
 * What a training run tells as it goes, so that its record holds what it measured even when a gate
 * refuses it or a later step fails (trainPair throws then, and returns nothing). Each step is told once,
 * in this order, as far as the run gets.
 */
export interface RunObserver {
  /** The candles read and the windows made of them. */
  candles(loaded: LoadedCandles, data: TrainingData): void;
  /** The network trained, with its epochs, and scored on the test windows. */
  trained(trained: TrainedModel): void;
  /** The distribution fitted and scored; `candles` are the ones its windows index. */
  distribution(fitted: FittedDistribution, candles: readonly Candle[]): void;
}
