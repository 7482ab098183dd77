import { fitDistribution } from '../distribution/fit.js';
import type { MeasureDistributionInput } from '../distribution/measure.js';
import { distributionSplits, splitLocations } from '../distribution/splits.js';
import type { FittedDistribution } from '../distribution/fit.js';
import { predictWindows } from '../train/windows.js';
import type { LinearComparator } from './schema.js';

const EVALUATION_BATCH = 256;

/**
 * "The simplest model that could do its job" beside the served one: B1 x exp(a CRPS-fitted linear
 * correction), calibrated as configured, on the same windows and locations as the served model. When
 * the served scale already is that correction, it is not fitted twice: the report says so.
 */
export function linearComparator(
  input: MeasureDistributionInput,
  served: FittedDistribution,
): LinearComparator {
  if (served.spec.scale.kind === 'linear') {
    return {
      same_as_model: true,
      note: 'the served scale is the linear correction of B1: the model block is the linear comparator',
    };
  }
  const { config, candles, data } = input;
  const splits = distributionSplits(data, config.features.sequence_length);
  // The locations measureDistribution gave the served model: the network's forecasts in prices.
  const valForecasts = data.scaler.inverseColumn(
    predictWindows(input.network, data.val, EVALUATION_BATCH),
    'close',
  );
  const { metrics } = fitDistribution({
    candles,
    windowLength: config.features.sequence_length,
    config: { ...config.distribution, scale: 'linear' },
    train: splits.train,
    val: splitLocations(splits.val, candles, valForecasts),
    test: splitLocations(splits.test, candles, input.testForecasts),
  });
  return { same_as_model: false, ...metrics.model, crps_skill: metrics.crps_skill };
}
