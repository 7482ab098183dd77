import type { RunRecords } from '../../../adapters/storage/run-records.js';
import type { Config } from '../../../core/config/index.js';
import type { RunMachine, RunSubject } from '../../../core/runs/run-record.js';
import type { Log } from '../log.js';
import type { RunObserver } from './observer.js';
import type { PublishedRun } from './outcome.js';
import { RecordedRun } from './recorded-run.js';

export interface RunRecorderOptions {
  readonly records: RunRecords;
  readonly config: Config;
  readonly machine: RunMachine;
  readonly log: Log;
  readonly clock?: () => Date;
}

/** What the point network's training loss is, as the learning curves label it. */
function lossName(config: Config): string {
  return `MSE of the scaled next close (target_mode ${config.training.target_mode})`;
}

/**
 * Leaves a record of every training run in the store, published, refused or failed, with its held-out
 * hours (RunRecords, beside the models). Two ways in, per subject (a pair, or NETWORK_SUBJECT):
 *
 * ```ts
 * const recorder = new RunRecorder({ records: RunRecords.beside(store), config, machine: thisMachine(backend), log });
 *
 * // A run in steps (prepare, then publish): begin, tell, end.
 * const run = recorder.begin(pair);
 * run.candles(loaded, data); run.trained(trained); run.distribution(served, candles);
 * run.scaleChosen(choice);                       // optional: which scale won, and why
 * await run.end({ result }) or await run.end({ error });   // never throws
 *
 * // A run in one call: the observer is told as it goes; the result or error passes through unchanged.
 * const result = await recorder.run(pair, (observer) => trainPair({ ...options, observer }));
 * ```
 *
 * Recording never changes how the run ended: a record that cannot be written is a warning.
 */
export class RunRecorder {
  private readonly clock: () => Date;

  public constructor(private readonly options: RunRecorderOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** A run of `subject` starting now: tell it what the run measures, then end it. */
  public begin(subject: RunSubject, options: { readonly lossName?: string } = {}): RecordedRun {
    const { records, config, machine, log } = this.options;
    return new RecordedRun({
      subject,
      records,
      config,
      machine,
      log,
      clock: this.clock,
      lossName: options.lossName ?? lossName(config),
    });
  }

  /** Runs `train` with an observer, records how it ended, and returns or throws what it did. */
  public async run<T extends PublishedRun>(
    subject: RunSubject,
    train: (observer: RunObserver) => Promise<T>,
  ): Promise<T> {
    const run = this.begin(subject);
    let result: T;
    try {
      result = await train(run);
    } catch (error) {
      await run.end({ error });
      throw error;
    }
    await run.end({ result });
    return result;
  }
}
