import { createHash } from 'node:crypto';
import type { Config, Pair } from '../../../core/config/index.js';
import {
  SCALE_NETWORK_FILE,
  SCALE_SEQUENCE_CHANNELS,
  correctedSigma,
  unitFamily,
  type ForecastDistribution,
  type SharedNetwork,
} from '../../../core/distribution/index.js';
import { scoreServed } from '../distribution/fit.js';
import { formatDuration, type Log } from '../log.js';
import { SeededRandom } from '../model/random.js';
import { exportScaleNetworkToOnnx } from '../onnx/index.js';
import { networkSettings } from '../scale/settings.js';
import { chooseScale, type ScaleChoice } from '../scale/select.js';
import { fitSharedScale } from '../scale/shared.js';
import type { ScaleEpoch } from '../scale/fit.js';
import { disposeEnsemble } from '../scale/train.js';
import { scaleWindows, type ScaleWindows } from '../scale/windows.js';
import { checkScaleNetworkParity } from './scale-parity-check.js';
import type { ParitySummary } from './parity-check.js';
import type { PreparedPair, ServedScale } from './train-pair.js';

/** The shared network's verdict for one pair: what it serves, and why. */
export interface PairScale {
  readonly choice: ScaleChoice;
  readonly served: ServedScale;
}

/** One run's shared scale network: what every pair's version carries when the network serves it. */
export interface SharedNetworkRun {
  readonly network: SharedNetwork;
  readonly onnx: Uint8Array;
  readonly parity: ParitySummary;
  readonly seconds: number;
  readonly bestEpochs: readonly number[];
  /** Each member's epochs, in member order: its run record's learning curves. */
  readonly histories: readonly (readonly ScaleEpoch[])[];
  readonly stoppedEarly: readonly boolean[];
  readonly sequencesPerSecond: number;
  readonly pairs: ReadonlyMap<Pair, PairScale>;
}

function linearSigmas(spec: ForecastDistribution, windows: ScaleWindows): Float64Array {
  if (spec.scale.kind !== 'linear') return Float64Array.from(windows.sigmaB1);
  const { correction } = spec.scale;
  const d = windows.inputCount;
  return windows.sigmaB1.map((base, i) =>
    correctedSigma(correction, windows.inputs.subarray(i * d, (i + 1) * d), base),
  );
}

/**
 * The run's one scale network across every prepared pair: trained on their training windows, early-stopped
 * on their validation windows (trainScaleEnsemble), exported to ONNX and checked against TensorFlow.js on
 * every pair's test windows. Then, per pair, the choice on the pair's validation windows (chooseScale, with
 * the point model's locations) and, where the network wins, the pair's served distribution: the network
 * calibrated on the pair's own validation windows, scored on its test windows as the linear one was.
 */
export async function trainSharedNetwork(input: {
  readonly config: Config;
  readonly prepared: readonly PreparedPair[];
  readonly run: string;
  readonly log: Log;
}): Promise<SharedNetworkRun> {
  const { config, prepared, log } = input;
  const started = performance.now();
  const windowLength = config.features.sequence_length;
  const hours = config.distribution.network.sequence_hours;
  const spec = { windowLength, hours, inputs: config.distribution.inputs };
  const family = unitFamily(config.distribution.family);
  const windows = prepared.map((p) => {
    const { splits } = p.distribution;
    return {
      pair: p.pair,
      trained: true,
      train: scaleWindows(p.candles, splits.train, spec),
      val: scaleWindows(p.candles, splits.val, spec),
      test: scaleWindows(p.candles, splits.test, spec),
      valMu: splits.val.mu,
    };
  });
  const shared = fitSharedScale(windows, {
    family,
    inputs: config.distribution.inputs,
    l2: config.distribution.l2,
    settings: networkSettings(config),
    log,
    label: 'shared network',
  });
  try {
    const onnx = exportScaleNetworkToOnnx(
      shared.ensemble.members.map((m) => m.toWeights()),
      shared.ensemble.standardiser,
      { docString: `crypto-forecast shared scale network, run ${input.run}` },
    );
    let parity: ParitySummary = { windows: 0, maxAbsError: 0, maxRelError: 0 };
    const random = new SeededRandom(config.training.seed + 2);
    for (const w of windows) {
      const checked = await checkScaleNetworkParity(shared.ensemble, onnx, w.test, config.conversion, random);
      parity = {
        windows: parity.windows + checked.windows,
        maxAbsError: Math.max(parity.maxAbsError, checked.maxAbsError),
        maxRelError: Math.max(parity.maxRelError, checked.maxRelError),
      };
    }
    log.info(
      'scale_parity',
      `shared network: ONNX matches TensorFlow.js on ${parity.windows} windows (max abs error ${parity.maxAbsError.toExponential(2)})`,
    );
    const network: SharedNetwork = {
      file: SCALE_NETWORK_FILE,
      sha256: createHash('sha256').update(onnx).digest('hex'),
      run: input.run,
      hours,
      channels: [...SCALE_SEQUENCE_CHANNELS],
      inputs: config.distribution.inputs,
      members: config.distribution.network.members,
      hidden_size: config.distribution.network.hidden_size,
      trained_on: prepared.map((p) => p.pair),
      pooled_calibration: shared.pooledCalibration,
    };
    const pairs = new Map<Pair, PairScale>();
    prepared.forEach((p, i) => {
      const w = windows[i]!;
      const mine = shared.pairs[i]!;
      const linear = p.distribution.spec;
      const choice = chooseScale({
        family,
        mu: p.distribution.splits.val.mu ?? new Float64Array(w.val.count),
        outcomes: w.val.logReturn,
        networkSigma: mine.valSigma,
        linearSigma: linearSigmas(linear, w.val),
      });
      const selection = { ...choice };
      const served: ServedScale =
        choice.served === 'shared_network'
          ? {
              ...scoreServed({
                candles: p.candles,
                spec: {
                  ...linear,
                  scale: { kind: 'shared_network', network },
                  calibration: config.distribution.calibrate ? mine.calibration : null,
                  selection,
                },
                test: p.distribution.splits.test,
                sigma: mine.testSigma!,
                sigmaB1: Float64Array.from(w.test.sigmaB1),
                windows: { fit: w.train.count, calibration: w.val.count },
                selection,
              }),
              scaleOnnx: onnx,
            }
          : {
              spec: { ...linear, selection },
              metrics: { ...p.distribution.metrics, selection },
              scaleOnnx: null,
            };
      pairs.set(p.pair, { choice, served });
      log.info(
        'scale_selection',
        `${p.pair}: serves the ${choice.served === 'shared_network' ? 'shared network' : 'linear correction'} (validation CRPS ${choice.network_val_crps_bp.toFixed(3)} bp network vs ${choice.linear_val_crps_bp.toFixed(3)} bp linear); test CRPS skill ${(100 * served.metrics.crps_skill).toFixed(2)}%`,
        { pair: p.pair, ...choice, crps_skill: served.metrics.crps_skill },
      );
    });
    const seconds = (performance.now() - started) / 1_000;
    log.info(
      'shared_network',
      `shared network of run ${input.run} over ${prepared.length} pair(s) in ${formatDuration(seconds)}`,
      {
        run: input.run,
        seconds,
      },
    );
    const fits = shared.ensemble.fits;
    return {
      network,
      onnx,
      parity,
      seconds,
      bestEpochs: fits.map((f) => f.bestEpoch),
      histories: fits.map((f) => f.history),
      stoppedEarly: fits.map((f) => f.stoppedEarly),
      sequencesPerSecond: fits.reduce((s, f) => s + f.sequencesPerSecond, 0) / fits.length,
      pairs,
    };
  } finally {
    disposeEnsemble(shared.ensemble);
  }
}
