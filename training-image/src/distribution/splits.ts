import { pointLocation } from '../../../core/distribution/index.js';
import type { TrainingData } from '../../../core/features/index.js';
import type { Candle } from '../../../core/market/index.js';
import type { WindowSplit } from './fit.js';

/**
 * Where prepareTrainingData's windows end, as candle indices: the training windows are made from the
 * first trainRows candles (training first, then validation, the latest ones), the test windows from
 * the rest. A window of L candles starting at row r ends at candle r + L - 1 and forecasts r + L.
 */
export function distributionSplits(
  data: Pick<TrainingData, 'train' | 'val' | 'test' | 'trainRows'>,
  sequenceLength: number,
): { train: WindowSplit; val: WindowSplit; test: WindowSplit } {
  const first = sequenceLength - 1;
  return {
    train: { first, count: data.train.count },
    val: { first: first + data.train.count, count: data.val.count },
    test: { first: data.trainRows + first, count: data.test.count },
  };
}

/** Each window's location from the point model's forecasts in prices (pointLocation, as serving does). */
export function splitLocations(
  split: WindowSplit,
  candles: readonly Candle[],
  forecasts: ArrayLike<number>,
): WindowSplit {
  if (forecasts.length !== split.count) {
    throw new RangeError(`${forecasts.length} forecasts for ${split.count} windows`);
  }
  const mu = new Float64Array(split.count);
  for (let k = 0; k < split.count; k += 1)
    mu[k] = pointLocation(forecasts[k]!, candles[split.first + k]!.close);
  return { ...split, mu };
}
