import { scoreForecasts, type UnitFamily } from '../../../core/distribution/index.js';

/** Which scale a pair serves, and the validation figures that chose it. */
export interface ScaleChoice {
  readonly served: 'shared_network' | 'linear';
  /** Mean CRPS on the pair's validation windows, before calibration, in bp of price. */
  readonly network_val_crps_bp: number;
  readonly linear_val_crps_bp: number;
}

export interface ScaleCandidates {
  readonly family: UnitFamily;
  /** The pair's validation windows: locations, outcomes (next log returns) and each candidate's raw scale. */
  readonly mu: ArrayLike<number>;
  readonly outcomes: ArrayLike<number>;
  readonly networkSigma: ArrayLike<number>;
  readonly linearSigma: ArrayLike<number>;
}

/**
 * The network serves a pair only where it beats the pair's own linear correction on the pair's
 * validation windows (mean CRPS, before calibration, which both then get). Only validation windows
 * take part: a choice can never depend on a test window.
 */
export function chooseScale(candidates: ScaleCandidates): ScaleChoice {
  const { family, mu, outcomes } = candidates;
  const crps = (sigma: ArrayLike<number>): number => scoreForecasts({ family, mu, sigma, outcomes }).crps_bp;
  const network = crps(candidates.networkSigma);
  const linear = crps(candidates.linearSigma);
  return {
    served: network < linear ? 'shared_network' : 'linear',
    network_val_crps_bp: network,
    linear_val_crps_bp: linear,
  };
}
