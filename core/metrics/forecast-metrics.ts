/**
 * Accuracy of one-step-ahead price forecasts, always beside the naive forecast
 * "next close = last close": at a one-hour horizon that forecast is hard to beat,
 * so a model's error means little without it.
 */
export interface ForecastMetrics {
  readonly windows: number;
  readonly mae: number;
  readonly rmse: number;
  /** Mean absolute percentage error, in percent. */
  readonly mape: number;
  readonly naiveMae: number;
  readonly naiveRmse: number;
  /** 1 - mae / naiveMae: above 0 beats the naive forecast, 0 ties, below 0 loses. */
  readonly skill: number;
  /** Share of windows whose predicted direction (up/down from the last close) was right; flat counts as down. */
  readonly directionAccuracy: number;
}

export interface ForecastSample {
  /** Prices, one per window. */
  readonly predicted: ArrayLike<number>;
  readonly actual: ArrayLike<number>;
  /** The window's last close: the naive forecast. */
  readonly lastClose: ArrayLike<number>;
}

export function forecastMetrics({ predicted, actual, lastClose }: ForecastSample): ForecastMetrics {
  const n = actual.length;
  if (n === 0 || predicted.length !== n || lastClose.length !== n) {
    throw new Error(
      `forecastMetrics: ${predicted.length} predictions, ${n} actuals, ${lastClose.length} last closes`,
    );
  }
  let absSum = 0;
  let sqSum = 0;
  let pctSum = 0;
  let naiveAbsSum = 0;
  let naiveSqSum = 0;
  let rightDirection = 0;
  for (let i = 0; i < n; i++) {
    const p = predicted[i] as number;
    const a = actual[i] as number;
    const last = lastClose[i] as number;
    const error = p - a;
    const naiveError = last - a;
    absSum += Math.abs(error);
    sqSum += error * error;
    pctSum += Math.abs(error / a);
    naiveAbsSum += Math.abs(naiveError);
    naiveSqSum += naiveError * naiveError;
    if (p > last === a > last) rightDirection += 1;
  }
  const mae = absSum / n;
  const naiveMae = naiveAbsSum / n;
  return {
    windows: n,
    mae,
    rmse: Math.sqrt(sqSum / n),
    mape: (100 * pctSum) / n,
    naiveMae,
    naiveRmse: Math.sqrt(naiveSqSum / n),
    skill: naiveMae === 0 ? (mae === 0 ? 0 : -Infinity) : 1 - mae / naiveMae,
    directionAccuracy: rightDirection / n,
  };
}
