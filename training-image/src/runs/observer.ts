import type { TrainingData } from '../../../core/features/index.js';
import type { ForecastDistribution } from '../../../core/distribution/index.js';
import type { Candle } from '../../../core/market/index.js';
import type { DistributionMetrics } from '../../../core/metrics/index.js';
import type { HeldOutWindows } from '../../../core/runs/heldout-hours.js';
import type { LoadedCandles } from '../pipeline/candles.js';
import type { TrainedModel } from '../pipeline/train-model.js';

/** What a run's record reads of the trained point network: its epochs and its test scores, not the network. */
export type TrainedFigures = Pick<TrainedModel, 'fit' | 'test'>;

/**
 * What a run's record reads of the distribution it serves: distribution.json, its figures beside B0 and
 * B1, and its test windows one by one (each window's location and scale before calibration), which become
 * the held-out hours. fitDistribution's FittedDistribution is one; so is any other scale's, such as the
 * shared network's, given its test windows.
 */
export interface ServedDistribution {
  readonly spec: ForecastDistribution;
  readonly metrics: DistributionMetrics;
  readonly test: HeldOutWindows;
}

/**
 * What a training run tells as it goes, so that its record holds what it measured even when a gate
 * refuses it or a later step fails (the run throws then, and returns nothing). Each step is told once,
 * in this order, as far as the run gets; a step told again replaces what it told before.
 */
export interface RunObserver {
  /** The candles read and the windows made of them. */
  candles(loaded: LoadedCandles, data: TrainingData): void;
  /** The network trained, with its epochs, and scored on the test windows. */
  trained(trained: TrainedFigures): void;
  /** The distribution fitted and scored; `candles` are the ones its windows index. */
  distribution(fitted: ServedDistribution, candles: readonly Candle[]): void;
}
