import type { Pair } from '../../../core/config/index.js';
import { fitScaleCalibration, type ScaleCalibration } from '../../../core/distribution/index.js';
import { trainScaleEnsemble, type ScaleEnsemble, type ScaleEnsembleOptions } from './train.js';
import { concatWindows, type ScaleWindows } from './windows.js';

/** One pair's windows as the shared network sees them. */
export interface SharedScalePair {
  readonly pair: Pair;
  readonly train: ScaleWindows;
  readonly val: ScaleWindows;
  readonly test: ScaleWindows | null;
  /** False: left out of training (a pair the network has not seen); it is served with the pooled calibration. */
  readonly trained: boolean;
  /** Each validation window's location (the point model's, as served); absent: 0, the naive forecast. */
  readonly valMu?: ArrayLike<number> | undefined;
}

/** The network's scale for one pair: raw (before calibration) on validation and test, and how it calibrates. */
export interface SharedScaleOfPair {
  readonly pair: Pair;
  readonly trained: boolean;
  readonly valSigma: Float64Array;
  readonly testSigma: Float64Array | null;
  /** Fitted on the pair's own validation windows, or the pooled one for a pair left out of training. */
  readonly calibration: ScaleCalibration;
}

export interface SharedScaleFit {
  /** The caller disposes it (disposeEnsemble). */
  readonly ensemble: ScaleEnsemble;
  /** Split conformal over every trained pair's validation windows: what serves a pair without its own. */
  readonly pooledCalibration: ScaleCalibration;
  readonly pairs: readonly SharedScaleOfPair[];
}

/** How the shared network trains: trainScaleEnsemble's options, the windows aside. */
export type SharedScaleOptions = ScaleEnsembleOptions;

function sigmas(ensemble: ScaleEnsemble, windows: ScaleWindows): Float64Array {
  const logScale = ensemble.logScale(windows);
  return windows.sigmaB1.map((base, i) => base * Math.exp(logScale[i]!));
}

/**
 * Trains one scale network on the trained pairs' windows (trainScaleEnsemble), then gives every pair,
 * trained or not, the network's scale on its validation and test windows and its calibration. Test
 * windows are only predicted: nothing here reads their outcomes.
 */
export function fitSharedScale(
  pairs: readonly SharedScalePair[],
  options: SharedScaleOptions,
): SharedScaleFit {
  const trained = pairs.filter((p) => p.trained);
  if (trained.length === 0) throw new RangeError('fitSharedScale: no pair to train on');
  const ensemble = trainScaleEnsemble({
    ...options,
    train: trained.map((p) => p.train),
    val: trained.map((p) => p.val),
  });
  const valSigmas = pairs.map((p) => sigmas(ensemble, p.val));
  const mu = (p: SharedScalePair): Float64Array =>
    Float64Array.from({ length: p.val.count }, (_, k) => p.valMu?.[k] ?? 0);
  const calibrate = (parts: readonly { p: SharedScalePair; sigma: Float64Array }[]): ScaleCalibration => {
    const outcomes = concatWindows(parts.map(({ p }) => p.val)).logReturn;
    const join = (pick: (part: { p: SharedScalePair; sigma: Float64Array }) => Float64Array) => {
      const all = new Float64Array(outcomes.length);
      let at = 0;
      for (const part of parts) {
        all.set(pick(part), at);
        at += part.p.val.count;
      }
      return all;
    };
    return fitScaleCalibration({
      family: options.family,
      mu: join(({ p }) => mu(p)),
      sigma: join(({ sigma }) => sigma),
      outcomes,
    });
  };
  const withSigma = pairs.map((p, i) => ({ p, sigma: valSigmas[i]! }));
  const pooledCalibration = calibrate(withSigma.filter(({ p }) => p.trained));
  return {
    ensemble,
    pooledCalibration,
    pairs: withSigma.map(({ p, sigma }) => ({
      pair: p.pair,
      trained: p.trained,
      valSigma: sigma,
      testSigma: p.test === null ? null : sigmas(ensemble, p.test),
      calibration: p.trained ? calibrate([{ p, sigma }]) : pooledCalibration,
    })),
  };
}
