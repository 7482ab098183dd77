import type { Candle } from '../market/candle.js';
import { forecastQuantile, calibratedPredictive } from './calibration.js';
import { scaleFromCandles, type CandleScale } from './candle-scale.js';
import { unitFamily } from './predictive.js';
import { INTERVAL_KEYS, INTERVAL_LEVELS, QUANTILE_LEVELS } from './scores.js';
import {
  SERVED_QUANTILE_KEYS,
  type ForecastDistribution,
  type NextCloseDistribution,
} from './served-schema.js';

/** The candles a forecast is made from: `candles[last]` is the last closed one. */
export interface ScaleWindow {
  readonly candles: readonly Candle[];
  readonly last: number;
  /** Open time of the candle being forecast (the hour of day the correction reads). */
  readonly nextOpenTime: number;
}

/** The standard deviation of the next log return, before calibration, and B1's beside it. */
export type WindowScale = CandleScale;

export class DistributionInputError extends RangeError {
  public override readonly name = 'DistributionInputError';
}

/**
 * The served scale of one window, before calibration: training scores every window with this and
 * serving answers with it, so both compute the same number. Only the `spec.b1.window` candles ending
 * at `last` are read (scaleFromCandles): serving has no more, so training must not look further back.
 */
export function windowScale(
  spec: ForecastDistribution,
  window: ScaleWindow,
  networkLogScale?: number,
): WindowScale {
  const { candles, last } = window;
  const length = spec.b1.window;
  if (!(last >= length - 1 && last < candles.length)) {
    throw new DistributionInputError(
      `The scale needs the ${length} closes ending at candle ${last}; ${candles.length} candles given`,
    );
  }
  const ending = last === candles.length - 1 ? candles : candles.slice(last - length + 1, last + 1);
  const { scale } = spec;
  if (scale.kind === 'shared_network') {
    // The network runs in onnxruntime (serving) or TensorFlow.js (training): its output comes in.
    if (networkLogScale === undefined || !Number.isFinite(networkLogScale)) {
      throw new DistributionInputError(
        `The shared network's scale needs its log_scale output, got ${networkLogScale}`,
      );
    }
    const { sigmaB1 } = scaleFromCandles(ending, length, window.nextOpenTime, null);
    return { sigmaB1, sigma: sigmaB1 * Math.exp(networkLogScale) };
  }
  return scaleFromCandles(
    ending,
    length,
    window.nextOpenTime,
    scale.kind === 'linear' ? scale.correction : null,
  );
}

/**
 * The location of the next log return from a point forecast: ln(forecast / last close). A forecast
 * that is not a positive price (a level model far outside its range) carries no location, so the
 * distribution is centred on the last close, as the naive forecast is.
 */
export function pointLocation(forecast: number, lastClose: number): number {
  const mu = Math.log(forecast / lastClose);
  return forecast > 0 && lastClose > 0 && Number.isFinite(mu) ? mu : 0;
}

export interface NextCloseInput extends ScaleWindow {
  /** Location of the next log return: ln(point forecast / last close); 0 is the naive forecast. */
  readonly mu: number;
  /** The shared network's output for this window (scale kind `shared_network` only). */
  readonly networkLogScale?: number;
}

/** A distribution.json made ready to answer: its family built once, not once per request. */
export interface ServedDistribution {
  readonly spec: ForecastDistribution;
  nextClose(input: NextCloseInput): NextCloseDistribution;
}

/**
 * Compiles distribution.json for serving. The unit quantiles (a Student-t's are solved numerically)
 * are computed here once, with forecastQuantile on the unit predictive, so a request costs B1's
 * 120 logs and a few multiplications: quantile_p = last close x exp(mu + sigma x z_p), what
 * priceDistribution gives, without its ten numerical quantile solves per call (about 20 µs).
 */
export function serveDistribution(spec: ForecastDistribution): ServedDistribution {
  const family = unitFamily(spec.family);
  const unit = { mu: 0, sigma: 1 };
  const quantileZ = QUANTILE_LEVELS.map((p) => forecastQuantile(family, unit, p, spec.calibration));
  const intervalZ = INTERVAL_LEVELS.map((level) =>
    forecastQuantile(family, unit, (1 + level) / 2, spec.calibration),
  );
  return {
    spec,
    nextClose(input) {
      if (!Number.isFinite(input.mu)) {
        throw new DistributionInputError(`The location must be a finite log return, got ${input.mu}`);
      }
      const { sigma } = windowScale(spec, input, input.networkLogScale);
      const lastClose = input.candles[input.last]!.close;
      const price = (z: number): number => lastClose * Math.exp(input.mu + sigma * z);
      const quantiles = Object.fromEntries(
        SERVED_QUANTILE_KEYS.map((key, k) => [key, price(quantileZ[k]!)]),
      ) as NextCloseDistribution['quantiles'];
      const intervals = Object.fromEntries(
        INTERVAL_KEYS.map((key, k) => [key, { lower: price(-intervalZ[k]!), upper: price(intervalZ[k]!) }]),
      ) as NextCloseDistribution['intervals'];
      return {
        family: spec.family,
        scale: calibratedPredictive({ mu: input.mu, sigma }, spec.calibration).sigma,
        quantiles,
        intervals,
      };
    },
  };
}
