import { logGamma } from '../../core/distribution/special.js';

/**
 * The demo market the fake exchange serves: hourly returns with the structure of a real crypto market, so
 * that the product's distribution forecast has something to learn (docs/demo-market.md). It is configured
 * by the statistics its hourly returns must have; the model's parameters are derived from them in closed
 * form (solveDemoMarket), and impliedStatistics gives the statistics back from the parameters.
 *
 * The model, for one pair's hourly log return r_t:
 *
 *   r_t = sigma · sqrt(v(hour_t)) · S_t · z_t
 *
 * - v: the hour-of-day profile of the variance, 1 + a·cos(2π(hour − busiest hour)/24), of mean 1;
 * - S_t²: the market's volatility regime, calm (S² = c) or turbulent (S² = J, E S² = 1), a Markov chain
 *   that each hour keeps its state with probability lambda and otherwise draws it afresh (turbulent with
 *   probability p). Volatility clusters as in GARCH(1,1): the autocorrelation of r² decays geometrically,
 *   as lambda^k. Not GARCH's own recursion: its variance has a power-law tail, so at the kurtosis of real
 *   hourly returns its 8th moment is infinite and the sample kurtosis does not settle (GARCH(1,1) with
 *   alpha 0.1, beta 0.87 and t(10) innovations, kurtosis 9.3 in theory: 6.8 to 38.8 over 12 seeds of
 *   200,000 hours); a lognormal stochastic volatility at kurtosis 13, by 8% (one sd, 12 seeds). This
 *   two-state regime has every moment finite: 4.2% RMS error over 20 seeds of 200,000 hours, 2.6% over
 *   400,000, so its figures can be tested.
 * - z_t = sqrt(W_t) · (sqrt(rho) · N_market + sqrt(1 − rho) · N_pair): a unit-variance Student-t with nu
 *   degrees of freedom (W = (nu − 2) / chi²_nu), whose tail scale W and market shock N_market every pair
 *   shares, so any two pairs' returns correlate by exactly rho.
 *
 * The regime, W and N_market are drawn per open time from the market's seed, so pairs with the same market
 * seed share them whatever candles were asked for first.
 */

/** The statistics of the hourly log returns the demo market is configured by. */
export interface DemoMarketStatistics {
  /** RMS return of the busiest UTC hour over the quietest one's. */
  readonly hourRatio: number;
  /** The busiest UTC hour (the quietest is 12 hours later). */
  readonly busiestHour: number;
  /** Kurtosis of hourly returns (3 for a Gaussian). */
  readonly kurtosis: number;
  /** Autocorrelation of |r| at lag 1 hour: how strongly volatility clusters. */
  readonly absAcf1: number;
  /** Autocorrelation of |r| at lag 24 hours: how long it persists. */
  readonly absAcf24: number;
  /** Correlation of two pairs' hourly returns. */
  readonly pairCorrelation: number;
}

// Measured on ../shared/data (local/fake-exchange/stats-cli.ts, docs/demo-market.md): the BTC/USDT year
// and five 2021 pairs (ETH, BNB, ADA, SOL, DOT against USDT). Every default lies inside the real range.
export const DEMO_MARKET: DemoMarketStatistics = Object.freeze({
  // Real 1.70 (BTC) to 2.45 (DOT); BTC's busiest hour is 14:00 UTC, the others' 12:00.
  hourRatio: 1.8,
  busiestHour: 14,
  // Real 12.5 (BTC) to 71.3 (DOT), sample kurtoses that a handful of hours decide: without each file's 3
  // largest moves (0.05% of its hours) 9.2 to 12.2. The bottom of the range, reached with every moment
  // finite.
  kurtosis: 13,
  // Real 0.19 (BTC) to 0.34 (ADA) at lag 1, 0.14 (BTC) to 0.19 (ETH) at lag 24.
  absAcf1: 0.25,
  absAcf24: 0.16,
  // Real 0.64 (SOL~BTC) to 0.86 (ETH~BTC).
  pairCorrelation: 0.75,
});

/**
 * Degrees of freedom of the innovations. Not a statistic but a choice: a test checks the sample kurtosis,
 * whose spread depends on the 8th moment of the returns, finite for a t only above 8 degrees of freedom;
 * at 10 a t's own kurtosis is 4 and the sample kurtosis of 200,000 hours lands within a few percent of the
 * truth. The rest of the kurtosis comes from the regime and the hour profile, whose moments are bounded.
 */
export const DEMO_TAIL_NU = 10;

/** The parameters of the model above, for hourly candles. */
export interface DemoMarketModel {
  readonly statistics: DemoMarketStatistics;
  /** a in v(hour) = 1 + a·cos(2π(hour − busiestHour)/24). */
  readonly hourAmplitude: number;
  readonly nu: number;
  /** p: the share of hours in the turbulent regime. */
  readonly turbulentShare: number;
  /** S² of the calm regime (c) and of the turbulent one (J): p·J + (1 − p)·c = 1. */
  readonly calmVariance: number;
  readonly turbulentVariance: number;
  /** lambda: the probability that an hour keeps the regime of the hour before without drawing it again. */
  readonly regimePersistence: number;
  /** rho: the correlation of two pairs' innovations. */
  readonly marketLoading: number;
}

export class DemoMarketError extends RangeError {
  public override readonly name = 'DemoMarketError';
  public constructor(
    message: string,
    public readonly statistics: DemoMarketStatistics,
  ) {
    super(`${message} (demo market statistics ${JSON.stringify(statistics)})`);
  }
}

/** The model that has `statistics` (hourly), or DemoMarketError when no two-state regime has them. */
export function solveDemoMarket(
  statistics: DemoMarketStatistics = DEMO_MARKET,
  nu: number = DEMO_TAIL_NU,
): DemoMarketModel {
  const fail = (message: string): never => {
    throw new DemoMarketError(message, statistics);
  };
  const { hourRatio, busiestHour, kurtosis, absAcf1, absAcf24, pairCorrelation } = statistics;
  if (!(hourRatio >= 1 && hourRatio < 20)) fail('hourRatio must be in [1, 20)');
  if (!Number.isInteger(busiestHour) || busiestHour < 0 || busiestHour > 23) fail('busiestHour is 0 to 23');
  if (!(pairCorrelation >= 0 && pairCorrelation <= 1)) fail('pairCorrelation must be in [0, 1]');
  if (!(nu > 4)) fail('the innovations need nu > 4 for a kurtosis');
  if (!(absAcf1 > absAcf24 && absAcf24 > 0)) fail('absAcf1 > absAcf24 > 0: volatility persists and decays');

  // The hour profile: RMS ratio sqrt((1 + a) / (1 − a)).
  const hourAmplitude = (hourRatio ** 2 - 1) / (hourRatio ** 2 + 1);
  const hours = hourProfile(hourAmplitude);
  const innovations = tMoments(nu);

  // Kurtosis = E v² · E S⁴ · kurtosis of z, all three independent.
  const fourth = kurtosis / (hours.v2(0) * innovations.kurtosis);
  if (!(fourth > 1)) {
    fail(
      `kurtosis must be above ${(hours.v2(0) * innovations.kurtosis).toFixed(2)}: the hour profile and t(${nu}) give that much alone`,
    );
  }

  // |r| autocorrelation at lags 1 and 24 fixes lambda and mu = E S; bisect on mu² the lambda that
  // lag 1 implies until lag 24 matches.
  const lambdaFor = (mu2: number): number => {
    const target =
      (absAcf1 * (1 - innovations.m2 * hours.q0 ** 2 * mu2)) / innovations.m2 + hours.q0 ** 2 * mu2;
    return (target / hours.rootV(1) - mu2) / (1 - mu2);
  };
  const acf24For = (mu2: number): number => absAcfOf(hours, innovations, lambdaFor(mu2) ** 24, mu2, 24);
  const minMu2 = 1 / fourth; // E S ≥ 1 / sqrt(E S⁴) for a two-point S² with E S² = 1
  const mu2 =
    bisect((x) => acf24For(x) - absAcf24, minMu2 + 1e-9, 1 - 1e-9) ??
    fail(
      'no two-state regime has these absAcf1, absAcf24 and kurtosis together: lower absAcf1 or raise the kurtosis',
    );
  const regimePersistence = lambdaFor(mu2);
  if (!(regimePersistence > 0 && regimePersistence < 1))
    fail('absAcf1 and absAcf24 imply no regime persistence in (0, 1)');

  // Two-point S² ∈ {c, J}, P(J) = p: E S² = 1, E S⁴ = fourth, E S = mu. For a given p the first two fix
  // J − c = sqrt((fourth − 1) / (p(1 − p))); E S falls from 1 (p → 0) to 1 / sqrt(fourth) (c = 0).
  const pointsFor = (p: number): { calm: number; turbulent: number } => {
    const spread = Math.sqrt((fourth - 1) / (p * (1 - p)));
    const calm = Math.max(0, 1 - p * spread);
    return { calm, turbulent: calm + spread };
  };
  const meanS = (p: number): number => {
    const { calm, turbulent } = pointsFor(p);
    return p * Math.sqrt(turbulent) + (1 - p) * Math.sqrt(calm);
  };
  const mu = Math.sqrt(mu2);
  const turbulentShare =
    bisect((p) => mu - meanS(p), 1e-9, 1 / fourth) ?? fail('no two-state regime has this E S and E S⁴');
  const { calm, turbulent } = pointsFor(turbulentShare);

  return Object.freeze({
    statistics,
    hourAmplitude,
    nu,
    turbulentShare,
    calmVariance: calm,
    turbulentVariance: turbulent,
    regimePersistence,
    marketLoading: pairCorrelation,
  });
}

/** The statistics of hourly returns that `model` implies: the inverse of solveDemoMarket, and more. */
export function impliedStatistics(model: DemoMarketModel): DemoMarketStatistics & {
  readonly squaredAcf1: number;
  readonly squaredAcf24: number;
} {
  const hours = hourProfile(model.hourAmplitude);
  const innovations = tMoments(model.nu);
  const p = model.turbulentShare;
  const fourth = p * model.turbulentVariance ** 2 + (1 - p) * model.calmVariance ** 2;
  const mu = p * Math.sqrt(model.turbulentVariance) + (1 - p) * Math.sqrt(model.calmVariance);
  const lambda = model.regimePersistence;
  const kurtosis = hours.v2(0) * fourth * innovations.kurtosis;
  // E[r_t² r_{t-k}²] / sigma⁴ = E[v_t v_{t-k}] · (lambda^k E S⁴ + 1 − lambda^k) for k ≥ 1.
  const squaredAcf = (k: number): number =>
    (hours.v2(k) * (lambda ** k * fourth + 1 - lambda ** k) - 1) / (kurtosis - 1);
  return {
    hourRatio: Math.sqrt((1 + model.hourAmplitude) / (1 - model.hourAmplitude)),
    busiestHour: model.statistics.busiestHour,
    kurtosis,
    absAcf1: absAcfOf(hours, innovations, lambda, mu * mu, 1),
    absAcf24: absAcfOf(hours, innovations, lambda ** 24, mu * mu, 24),
    pairCorrelation: model.marketLoading,
    squaredAcf1: squaredAcf(1),
    squaredAcf24: squaredAcf(24),
  };
}

interface HourProfile {
  /** mean over hours h of v(h)·v(h − k). */
  v2(k: number): number;
  /** mean over hours of sqrt(v(h)). */
  readonly q0: number;
  /** mean over hours of sqrt(v(h)·v(h − k)). */
  rootV(k: number): number;
}

/** Moments of the hour profile over the 24 hours, as a long sample averages them. */
function hourProfile(a: number): HourProfile {
  const v = Array.from({ length: 24 }, (_, h) => 1 + a * Math.cos((2 * Math.PI * h) / 24));
  const at = (h: number): number => v[((h % 24) + 24) % 24] as number;
  const mean = (f: (h: number) => number): number => v.reduce((sum, _, h) => sum + f(h), 0) / 24;
  return {
    v2: (k) => mean((h) => at(h) * at(h - k)),
    q0: mean((h) => Math.sqrt(at(h))),
    rootV: (k) => mean((h) => Math.sqrt(at(h) * at(h - k))),
  };
}

/** Of a unit-variance Student-t: its kurtosis and (E|z|)². */
function tMoments(nu: number): { readonly kurtosis: number; readonly m2: number } {
  // E|T| = 2 sqrt(nu / π) Γ((nu + 1) / 2) / ((nu − 1) Γ(nu / 2)) for a standard t; z = T sqrt((nu − 2) / nu).
  const m =
    (2 * Math.sqrt((nu - 2) / Math.PI) * Math.exp(logGamma((nu + 1) / 2) - logGamma(nu / 2))) / (nu - 1);
  return { kurtosis: (3 * (nu - 2)) / (nu - 4), m2: m * m };
}

/**
 * Autocorrelation of |r| at lag k ≥ 1 over a long sample, given lambda^k and mu² = (E S)²:
 *   E|r_t||r_{t-k}| / sigma² = (E|z|)² · mean_h sqrt(v(h) v(h − k)) · (lambda^k + (1 − lambda^k) mu²),
 *   (E|r|)² / sigma² = (E|z|)² · (mean_h sqrt v(h))² · mu²,  E r² / sigma² = 1.
 */
function absAcfOf(
  hours: HourProfile,
  innovations: { readonly m2: number },
  lambdaK: number,
  mu2: number,
  k: number,
): number {
  const meanSquared = innovations.m2 * hours.q0 ** 2 * mu2;
  const cross = innovations.m2 * hours.rootV(k) * (lambdaK + (1 - lambdaK) * mu2);
  return (cross - meanSquared) / (1 - meanSquared);
}

/** A root of f in [lo, hi] by bisection, or undefined when f has the same sign at both ends. */
function bisect(f: (x: number) => number, lo: number, hi: number): number | undefined {
  let flo = f(lo);
  const fhi = f(hi);
  if (!Number.isFinite(flo) || !Number.isFinite(fhi) || Math.sign(flo) === Math.sign(fhi)) return undefined;
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200 && b - a > 1e-15 * Math.max(1, Math.abs(a)); i++) {
    const mid = (a + b) / 2;
    const fmid = f(mid);
    if (Math.sign(fmid) === Math.sign(flo)) {
      a = mid;
      flo = fmid;
    } else {
      b = mid;
    }
  }
  return (a + b) / 2;
}
