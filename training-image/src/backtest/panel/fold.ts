import type { DistributionConfig, Pair } from '../../../../core/config/index.js';
import {
  GAUSSIAN,
  correctedSigma,
  fitScaleCalibration,
  scoreForecasts,
  unitFamily,
  type DistributionScores,
  type ScaleCalibration,
  type ScaleCorrection,
  type UnitFamily,
} from '../../../../core/distribution/index.js';
import type { Candle } from '../../../../core/market/index.js';
import { fitDistribution } from '../../distribution/fit.js';
import type { Log } from '../../log.js';
import { chooseScale, type ScaleChoice } from '../../scale/select.js';
import { fitSharedScale } from '../../scale/shared.js';
import { disposeEnsemble, type ScaleNetworkSettings } from '../../scale/train.js';
import { scaleWindows, type ScaleWindows } from '../../scale/windows.js';
import type { PanelModel } from './models.js';
import type { PanelFold } from './plan.js';

export interface PanelFoldOptions {
  readonly distribution: DistributionConfig;
  /** Candles every window reads (features.sequence_length). */
  readonly windowLength: number;
  readonly settings: ScaleNetworkSettings;
  /** Pairs the network does not train on: each is served by it with the pooled calibration. */
  readonly holdOut: readonly Pair[];
  readonly log: Log;
}

export interface PanelPairFold {
  readonly pair: Pair;
  readonly trained: boolean;
  /** What the pair serves, and why (validation CRPS of both). */
  readonly choice: ScaleChoice;
  readonly scores: Record<PanelModel, DistributionScores>;
}

export interface PanelFoldResult {
  readonly index: number;
  readonly testFirst: number;
  readonly testLast: number;
  readonly pairs: readonly PanelPairFold[];
  readonly network: {
    readonly trainWindows: number;
    readonly valWindows: number;
    readonly bestEpochs: readonly number[];
    readonly epochs: readonly number[];
    readonly seconds: number;
    readonly sequencesPerSecond: number;
  };
}

function correctionSigmas(correction: ScaleCorrection, windows: ScaleWindows): Float64Array {
  const d = windows.inputCount;
  return windows.sigmaB1.map((base, i) =>
    correctedSigma(correction, windows.inputs.subarray(i * d, (i + 1) * d), base),
  );
}

function calibrateOn(family: UnitFamily, windows: ScaleWindows, sigma: Float64Array): ScaleCalibration {
  return fitScaleCalibration({
    family,
    mu: new Float64Array(windows.count),
    sigma,
    outcomes: windows.logReturn,
  });
}

/**
 * One fold of the panel backtest. Every pair is cut to the fold's rows first, so nothing after the fold
 * (a later candle, in any pair) can reach it. Per pair: its own linear correction, fitted and calibrated
 * as the pipeline does (fitDistribution); then one network over every trained pair's windows; then the
 * choice on validation, and every model scored on the test windows.
 */
export function runPanelFold(
  series: readonly { readonly pair: Pair; readonly candles: readonly Candle[] }[],
  fold: PanelFold,
  options: PanelFoldOptions,
): PanelFoldResult {
  const { distribution, windowLength, log } = options;
  const family = unitFamily(distribution.family);
  const gaussian = unitFamily(GAUSSIAN);
  const spec = { windowLength, hours: distribution.network.sequence_hours, inputs: distribution.inputs };
  const pairs = series.map(({ pair, candles }) => {
    const slice = candles.slice(fold.start, fold.end);
    const linear = fitDistribution({
      candles: slice,
      windowLength,
      config: { ...distribution, scale: 'linear', calibrate: true },
      train: fold.train,
      val: fold.val,
      test: fold.test,
    });
    if (linear.spec.scale.kind !== 'linear') throw new Error('fitDistribution gave no linear correction');
    return {
      pair,
      trained: !options.holdOut.includes(pair),
      linear: {
        correction: linear.spec.scale.correction,
        calibration: linear.spec.calibration!,
        test: linear.test,
      },
      train: scaleWindows(slice, fold.train, spec),
      val: scaleWindows(slice, fold.val, spec),
      test: scaleWindows(slice, fold.test, spec),
    };
  });

  const started = performance.now();
  const shared = fitSharedScale(pairs, {
    family,
    inputs: distribution.inputs,
    l2: distribution.l2,
    settings: options.settings,
    log,
    label: `fold ${fold.index + 1}`,
    fields: { fold: fold.index + 1 },
  });
  const seconds = (performance.now() - started) / 1_000;
  try {
    const results = pairs.map((p, i): PanelPairFold => {
      const network = shared.pairs[i]!;
      const { test, val } = p;
      const zero = new Float64Array(test.count);
      const score = (f: UnitFamily, sigma: ArrayLike<number>, calibration: ScaleCalibration | null = null) =>
        scoreForecasts({ family: f, mu: zero, sigma, outcomes: test.logReturn, calibration });
      const linearTest = p.linear.test;
      if (linearTest.outcomes.some((y, k) => y !== test.logReturn[k])) {
        throw new Error(`${p.pair}: the linear correction and the network scored different windows`);
      }
      const pooledVal = correctionSigmas(shared.ensemble.start, val);
      const measured = chooseScale({
        family,
        mu: new Float64Array(val.count),
        outcomes: val.logReturn,
        networkSigma: network.valSigma,
        linearSigma: correctionSigmas(p.linear.correction, val),
      });
      // A pair the network never saw has no run of its own yet: the network serves it, pooled-calibrated.
      const choice: ScaleChoice = p.trained ? measured : { ...measured, served: 'shared_network' };
      const scores: Record<PanelModel, DistributionScores> = {
        network: score(family, network.testSigma!, network.calibration),
        linear: score(family, linearTest.sigma, p.linear.calibration),
        served: score(family, network.testSigma!, network.calibration),
        pooled_linear: score(
          family,
          correctionSigmas(shared.ensemble.start, test),
          calibrateOn(family, val, pooledVal),
        ),
        B1_t: score(family, test.sigmaB1),
        B1: score(gaussian, test.sigmaB1),
        B0: score(gaussian, linearTest.sigmaB0),
      };
      if (choice.served === 'linear') scores.served = scores.linear;
      return { pair: p.pair, trained: p.trained, choice, scores };
    });
    const fits = shared.ensemble.fits;
    return {
      index: fold.index,
      testFirst: series[0]!.candles[fold.start + fold.test.first + 1]!.openTime,
      testLast: series[0]!.candles[fold.start + fold.test.first + fold.test.count]!.openTime,
      pairs: results,
      network: {
        trainWindows: pairs.filter((p) => p.trained).reduce((n, p) => n + p.train.count, 0),
        valWindows: pairs.filter((p) => p.trained).reduce((n, p) => n + p.val.count, 0),
        bestEpochs: fits.map((f) => f.bestEpoch),
        epochs: fits.map((f) => f.history.length),
        seconds,
        sequencesPerSecond: fits.reduce((s, f) => s + f.sequencesPerSecond, 0) / fits.length,
      },
    };
  } finally {
    disposeEnsemble(shared.ensemble);
  }
}
