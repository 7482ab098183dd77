import type { ArtifactStore } from '../../../adapters/storage/index.js';
import { newVersion } from '../../../core/artifacts/index.js';
import type { Config, Pair } from '../../../core/config/index.js';
import { errorReason } from '../cli/reason.js';
import type { Log } from '../log.js';
import type { BackendInfo } from '../tf/backend.js';
import type { RecordedRun } from '../runs/recorded-run.js';
import type { RunRecorder } from '../runs/recorder.js';
import { NETWORK_SUBJECT } from '../../../core/runs/run-record.js';
import { trainSharedNetwork, type SharedNetworkRun } from './shared-network.js';
import { preparePair, publishPair, type PreparedPair, type TrainPairResult } from './train-pair.js';

export interface TrainRunOptions {
  readonly config: Config;
  readonly pairs: readonly Pair[];
  readonly store: ArtifactStore;
  readonly backend: BackendInfo;
  readonly log: Log;
  /** One CSV of candles instead of the exchange (every pair reads it). */
  readonly candlesFile?: string | undefined;
  readonly now?: () => Date;
  /** Checked between pairs: a stop request ends the run before the next pair starts. */
  readonly isStopping?: () => boolean;
  /** Leaves a record of each pair's run and of the network's (training-image/src/runs/); none without. */
  readonly recorder?: RunRecorder;
}

export type PairOutcome =
  | { readonly pair: Pair; readonly status: 'published'; readonly result: TrainPairResult }
  | { readonly pair: Pair; readonly status: 'failed'; readonly reason: string; readonly error: unknown };

export interface TrainRunResult {
  /** In the order of the pairs. */
  readonly outcomes: readonly PairOutcome[];
  /** The run's shared scale network; null when disabled, when no pair trained, or when it failed. */
  readonly network: SharedNetworkRun | null;
  readonly networkFailure: string | null;
}

/**
 * One scheduled run: every pair's point model and linear correction (a pair whose candles or gates fail
 * is left out and named; the others go on), then one scale network across the pairs that trained, then
 * each pair published with the scale it won on its validation windows. A failed network leaves every pair
 * its linear correction. Publication stays per pair, atomic and signed: a pair's version carries the
 * network it serves (scale.onnx) with its own calibration, so no pair can serve one run's network with
 * another's calibration.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const { config, store, backend, log } = options;
  const stopping = options.isStopping ?? (() => false);
  const failed = new Map<Pair, PairOutcome>();
  const prepared: PreparedPair[] = [];
  const fail = (pair: Pair, error: unknown): void => {
    const reason = errorReason(error);
    failed.set(pair, { pair, status: 'failed', reason, error });
    log.error('failed', `${pair}: ${reason}`, { pair, reason });
  };
  const runs = new Map<Pair, RecordedRun>();
  for (const pair of options.pairs) {
    if (stopping()) break;
    const run = options.recorder?.begin(pair);
    if (run !== undefined) runs.set(pair, run);
    try {
      prepared.push(
        await preparePair({ config, pair, backend, log, candlesFile: options.candlesFile, observer: run }),
      );
    } catch (error) {
      fail(pair, error);
      await run?.end({ error });
    }
  }

  let network: SharedNetworkRun | null = null;
  let networkFailure: string | null = null;
  if (config.distribution.network.enabled && prepared.length > 0 && !stopping()) {
    const runId = newVersion((options.now ?? (() => new Date()))());
    const loss = `mean CRPS of the scale-free next return, member 1 of ${config.distribution.network.members}`;
    const record = options.recorder?.begin(NETWORK_SUBJECT, { lossName: loss });
    try {
      network = await trainSharedNetwork({ config, prepared, run: runId, log });
      record?.measured({
        training: {
          loss,
          epochs: (network.histories[0] ?? []).map((e) => ({
            epoch: e.epoch,
            train_loss: e.trainLoss,
            val_loss: e.valLoss,
            seconds: e.seconds,
          })),
          best_epoch: network.bestEpochs[0] ?? 0,
          stopped_early: network.stoppedEarly[0] ?? false,
        },
      });
      await record?.end({ result: { version: runId, promoted: true, notPromotedBecause: null } });
    } catch (error) {
      await record?.end({ error });
      networkFailure = errorReason(error);
      log.error(
        'shared_network_failed',
        `the shared scale network failed; every pair serves its linear correction: ${networkFailure}`,
        {
          reason: networkFailure,
        },
      );
    }
  }

  const published = new Map<Pair, PairOutcome>();
  for (const ready of prepared) {
    const run = runs.get(ready.pair);
    const scale = network?.pairs.get(ready.pair);
    if (scale !== undefined) {
      const { choice } = scale;
      run?.scaleChosen({
        ...choice,
        reason: `validation CRPS ${choice.network_val_crps_bp.toFixed(3)} bp for the shared network, ${choice.linear_val_crps_bp.toFixed(3)} bp for the linear correction: the lower serves`,
      });
      // The held-out hours as served: the network's, where it won.
      const { test } = scale.served;
      if (test !== undefined) run?.distribution({ ...scale.served, test }, ready.candles);
    }
    try {
      const result = await publishPair(ready, {
        config,
        store,
        backend,
        log,
        scale: network?.pairs.get(ready.pair),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      published.set(ready.pair, { pair: ready.pair, status: 'published', result });
      await run?.end({ result });
    } catch (error) {
      fail(ready.pair, error);
      await run?.end({ error });
    }
  }
  const outcomes = options.pairs.flatMap((pair) => {
    const outcome = published.get(pair) ?? failed.get(pair);
    return outcome === undefined ? [] : [outcome];
  });
  return { outcomes, network, networkFailure };
}
