import { centralInterval, unitFamily, type ForecastDistribution } from '../../../core/distribution/index.js';
import type { TestWindows } from '../distribution/fit.js';

/** The served central interval of the next close at one level, per window, in price. */
export interface PriceBand {
  readonly level: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * The served intervals of each test window's next close, in price: last close x exp(the log-return
 * interval), the monotone map serving uses, with the calibration the fold fitted.
 */
export function priceBands(
  spec: Pick<ForecastDistribution, 'family' | 'calibration'>,
  windows: Pick<TestWindows, 'mu' | 'sigma'>,
  lastClose: ArrayLike<number>,
  levels: readonly number[],
): PriceBand[] {
  const n = windows.mu.length;
  if (windows.sigma.length !== n || lastClose.length !== n) {
    throw new RangeError(
      `priceBands: ${n} locations, ${windows.sigma.length} scales, ${lastClose.length} closes`,
    );
  }
  const family = unitFamily(spec.family);
  return levels.map((level) => {
    const lower = new Float64Array(n);
    const upper = new Float64Array(n);
    for (let k = 0; k < n; k += 1) {
      const predictive = { mu: windows.mu[k]!, sigma: windows.sigma[k]! };
      const [lo, hi] = centralInterval(family, predictive, level, spec.calibration);
      lower[k] = lastClose[k]! * Math.exp(lo);
      upper[k] = lastClose[k]! * Math.exp(hi);
    }
    return { level, lower, upper };
  });
}
