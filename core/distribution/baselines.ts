/**
 * The volatility baselines every distribution forecast is reported beside, on the same windows:
 *  - B0: Gaussian, mean 0, the sample standard deviation of the previous 720 hourly log returns;
 *  - B1: Gaussian, mean 0, the RiskMetrics EWMA variance (lambda 0.94) of the window's log returns.
 * B1 is also what the network's scale head multiplies: scale = sigmaB1(window) x exp(output).
 */

export const RISKMETRICS_LAMBDA = 0.94;
export const B0_RETURNS = 720;
/**
 * Floor of every baseline sigma (0.01 bp): a window of flat candles (a filled gap, a halted market)
 * has zero variance, and a zero scale would make every score infinite.
 */
export const MIN_SIGMA = 1e-6;

/** ln(close[i+1] / close[i]) for each consecutive pair: one fewer value than closes. */
export function logReturns(closes: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, closes.length - 1));
  for (let i = 1; i < closes.length; i += 1) {
    out[i - 1] = Math.log(closes[i]! / closes[i - 1]!);
  }
  return out;
}

/**
 * RiskMetrics EWMA variance after the last return: v <- lambda v + (1 - lambda) r², seeded with the
 * mean of the squared returns of the same window. The seed hardly matters over a 120-candle window
 * (0.94^119 < 0.001; seeding with 0 or the first r² moves B1's CRPS on the shared BTC year by
 * < 0.001 bp) but the mean keeps short windows sensible.
 */
export function ewmaVariance(returns: ArrayLike<number>, lambda: number = RISKMETRICS_LAMBDA): number {
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`EWMA lambda is in (0, 1), got ${lambda}`);
  const n = returns.length;
  if (n === 0) throw new RangeError('EWMA variance needs at least one return');
  let seed = 0;
  for (let i = 0; i < n; i += 1) seed += returns[i]! * returns[i]!;
  let variance = seed / n;
  for (let i = 0; i < n; i += 1) variance = lambda * variance + (1 - lambda) * returns[i]! * returns[i]!;
  return variance;
}

/** B1's standard deviation of the next log return, from a window of closes (120 in production). */
export function sigmaB1(closes: ArrayLike<number>, lambda: number = RISKMETRICS_LAMBDA): number {
  if (closes.length < 2) throw new RangeError(`sigmaB1 needs at least 2 closes, got ${closes.length}`);
  return Math.max(MIN_SIGMA, Math.sqrt(ewmaVariance(logReturns(closes), lambda)));
}

/** B0's standard deviation: the sample standard deviation (n - 1) of the given returns (720 of them). */
export function sigmaB0(returns: ArrayLike<number>): number {
  const n = returns.length;
  if (n < 2) throw new RangeError(`sigmaB0 needs at least 2 returns, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i += 1) mean += returns[i]!;
  mean /= n;
  let sum = 0;
  for (let i = 0; i < n; i += 1) sum += (returns[i]! - mean) ** 2;
  return Math.max(MIN_SIGMA, Math.sqrt(sum / (n - 1)));
}
