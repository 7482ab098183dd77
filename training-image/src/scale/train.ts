import type { UnitFamily } from '../../../core/distribution/family.js';
import { fitScaleCorrection, type ScaleCorrection } from '../../../core/distribution/linear-scale.js';
import type { ScaleInputsSpec } from '../../../core/distribution/scale-inputs.js';
import type { Log, LogFields } from '../log.js';
import { formatDuration } from '../log.js';
import {
  fitScaleMember,
  predictLogScale,
  standardise,
  type ScaleFitResult,
  type ScaleTrainingSettings,
  type Standardiser,
} from './fit.js';
import type { ScaleNetwork } from './network.js';
import { concatWindows, type ScaleWindows } from './windows.js';

/**
 * The network's settings (distribution.network of the configuration): every member trains with them,
 * member m with seed + m.
 */
export interface ScaleNetworkSettings extends ScaleTrainingSettings {
  readonly members: number;
}

export interface ScaleEnsemble {
  /** The members, each holding its best epoch's weights; the caller disposes them (disposeEnsemble). */
  readonly members: readonly ScaleNetwork[];
  /** The pooled linear correction every member started from (its weights, and how it standardises). */
  readonly start: ScaleCorrection;
  readonly standardiser: Standardiser;
  readonly fits: readonly Omit<ScaleFitResult, 'network'>[];
  /** log_scale of the ensemble (the members' mean) on any windows. */
  logScale(windows: ScaleWindows): Float64Array;
}

/** How the ensemble trains, whichever pairs' windows it trains on. */
export interface ScaleEnsembleOptions {
  readonly family: UnitFamily;
  readonly inputs: ScaleInputsSpec;
  /** Ridge penalty of the linear start (distribution.l2). */
  readonly l2: number;
  readonly settings: ScaleNetworkSettings;
  readonly log: Log;
  readonly label: string;
  readonly fields?: LogFields;
}

export interface TrainEnsembleInput extends ScaleEnsembleOptions {
  /** Each pair's training windows, and its validation windows (the most recent before its test ones). */
  readonly train: readonly ScaleWindows[];
  readonly val: readonly ScaleWindows[];
}

/**
 * One network for every pair: the linear correction fitted once over every pair's training windows
 * (each window weighing by its CRPS over its own B1 scale, the network's loss), then `members` networks
 * started from it with seeds seed, seed + 1, ..., each trained on every pair's training windows and
 * early-stopped on every pair's validation windows. The ensemble's log_scale is the members' mean.
 */
export function trainScaleEnsemble(input: TrainEnsembleInput): ScaleEnsemble {
  const { settings, log, label, family } = input;
  const train = concatWindows(input.train);
  const val = concatWindows(input.val);
  const start = fitScaleCorrection({
    family,
    inputs: input.inputs,
    x: train.inputs,
    sigmaBase: train.sigmaB1,
    outcomes: train.logReturn,
    l2: input.l2,
    weighting: 'relative',
  });
  const standardiser: Standardiser = { mean: start.mean, sd: start.sd };
  log.info(
    'scale_network',
    `${label}: one network for ${input.train.length} pair(s), ${train.count} training and ${val.count} validation windows of ${train.hours} hours; ${settings.members} member(s) from the pooled linear correction`,
    { ...input.fields, train_windows: train.count, val_windows: val.count, members: settings.members },
  );
  const members: ScaleNetwork[] = [];
  const fits: Omit<ScaleFitResult, 'network'>[] = [];
  try {
    for (let member = 0; member < settings.members; member += 1) {
      const seed = settings.seed + member;
      const fit = fitScaleMember(
        train,
        val,
        { standardiser, linear: { weights: start.weights, bias: start.bias } },
        {
          ...settings,
          family,
          seed,
          onEpoch: (p) =>
            log.info(
              'scale_epoch',
              `${label} scale network ${member + 1}/${settings.members} epoch ${p.epoch}/${p.maxEpochs}: train CRPS/B1 ${p.trainLoss.toFixed(5)}, val ${p.valLoss.toFixed(5)}${p.improved ? ' *' : ''}, ${p.sequencesPerSecond.toFixed(0)} seq/s, ${formatDuration(p.seconds)}/epoch, at most ${formatDuration(p.etaSeconds)} left`,
              {
                ...input.fields,
                member: member + 1,
                epoch: p.epoch,
                train_loss: p.trainLoss,
                val_loss: p.valLoss,
                improved: p.improved,
                sequences_per_second: p.sequencesPerSecond,
              },
            ),
        },
      );
      const { network, ...summary } = fit;
      members.push(network);
      fits.push(summary);
      log.info(
        'scale_member',
        `${label} scale network ${member + 1}/${settings.members}: best epoch ${fit.bestEpoch} of ${fit.history.length}, val CRPS/B1 ${fit.bestValLoss.toFixed(5)} (linear start ${fit.startValLoss.toFixed(5)})`,
        {
          ...input.fields,
          member: member + 1,
          best_epoch: fit.bestEpoch,
          val_loss: fit.bestValLoss,
          start_val_loss: fit.startValLoss,
        },
      );
    }
  } catch (error) {
    for (const network of members) network.dispose();
    throw error;
  }
  return {
    members,
    start,
    standardiser,
    fits,
    logScale: (windows) => predictLogScale(members, windows, standardise(windows, standardiser)),
  };
}

export function disposeEnsemble(ensemble: ScaleEnsemble): void {
  for (const network of ensemble.members) network.dispose();
}
