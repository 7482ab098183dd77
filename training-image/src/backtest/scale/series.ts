import {
  B0_RETURNS,
  RISKMETRICS_LAMBDA,
  scaleInputNames,
  sigmaB0,
  sigmaB1,
  writeScaleInputs,
  type ScaleInputsSpec,
} from '../../../../core/distribution/index.js';
import type { Candle } from '../../../../core/market/index.js';

/**
 * Every one-step-ahead forecast the candles allow, in time order: the next hour's log return and
 * what each model may know after the previous candle closed (the baselines' sigmas and the
 * correction's inputs), computed once for all folds.
 */
export interface ScaleSeries {
  readonly count: number;
  /** Open time of the forecast candle. */
  readonly openTimes: Float64Array;
  /** ln(close / previous close) of the forecast candle. */
  readonly outcomes: Float64Array;
  readonly sigmaB0: Float64Array;
  readonly sigmaB1: Float64Array;
  /** Row-major, count x inputNames.length. */
  readonly inputs: Float64Array;
  readonly inputNames: readonly string[];
}

export interface ScaleSeriesOptions {
  /** Closes B1 reads (the network's window: 120). */
  readonly windowLength: number;
  readonly inputs: ScaleInputsSpec;
  readonly lambda?: number;
}

export function scaleSeries(candles: readonly Candle[], options: ScaleSeriesOptions): ScaleSeries {
  const closes = Float64Array.from(candles, (candle) => candle.close);
  const returns = new Float64Array(candles.length);
  for (let t = 1; t < candles.length; t += 1) returns[t] = Math.log(closes[t]! / closes[t - 1]!);
  // B0 needs the 720 returns before t (closes t - 721 .. t - 1); B1 the window's closes.
  const first = Math.max(options.windowLength, B0_RETURNS + 1);
  const count = Math.max(0, candles.length - first);
  const names = scaleInputNames(options.inputs);
  const series = {
    count,
    openTimes: new Float64Array(count),
    outcomes: new Float64Array(count),
    sigmaB0: new Float64Array(count),
    sigmaB1: new Float64Array(count),
    inputs: new Float64Array(count * names.length),
    inputNames: names,
  };
  for (let i = 0; i < count; i += 1) {
    const t = first + i;
    series.openTimes[i] = candles[t]!.openTime;
    series.outcomes[i] = returns[t]!;
    series.sigmaB0[i] = sigmaB0(returns.subarray(t - B0_RETURNS, t));
    const b1 = sigmaB1(closes.subarray(t - options.windowLength, t), options.lambda ?? RISKMETRICS_LAMBDA);
    series.sigmaB1[i] = b1;
    writeScaleInputs(
      options.inputs,
      candles,
      t - 1,
      b1,
      candles[t]!.openTime,
      series.inputs,
      i * names.length,
    );
  }
  return series;
}
