import type { RunRecords } from '../../../adapters/storage/run-records.js';
import { newVersion } from '../../../core/artifacts/layout.js';
import type { Config } from '../../../core/config/index.js';
import type { HeldOutForecasts } from '../../../core/runs/heldout.js';
import { heldOutHours } from '../../../core/runs/heldout-hours.js';
import type { RunMachine, RunRecord, RunSubject } from '../../../core/runs/run-record.js';
import { errorReason } from '../cli/reason.js';
import type { Log } from '../log.js';
import { buildRunRecord, configuredScaleChoice } from './build-record.js';
import { RunDraft } from './draft.js';
import type { RunObserver } from './observer.js';
import { runOutcome, type PublishedRun } from './outcome.js';

export interface RunRecorderOptions {
  readonly records: RunRecords;
  readonly config: Config;
  readonly machine: RunMachine;
  readonly log: Log;
  readonly clock?: () => Date;
}

/** What the training loss is, as the learning curves label it. */
function lossName(config: Config): string {
  return `MSE of the scaled next close (target_mode ${config.training.target_mode})`;
}

/**
 * Leaves a record of every run in the store: wraps one run, watches it (RunObserver), and when it ends,
 * published, refused or failed, writes its record and held-out hours (RunRecords). Recording never changes
 * how the run ended: a record that cannot be written is a warning, and the run's result or error goes on
 * to the caller unchanged.
 */
export class RunRecorder {
  private readonly clock: () => Date;

  public constructor(private readonly options: RunRecorderOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Runs `train` with an observer, records how it ended, and returns or throws what it did. */
  public async run<T extends PublishedRun>(
    subject: RunSubject,
    train: (observer: RunObserver) => Promise<T>,
  ): Promise<T> {
    const startedAt = this.clock();
    const draft = new RunDraft(lossName(this.options.config));
    try {
      const result = await train(draft);
      await this.record(subject, draft, startedAt, { result });
      return result;
    } catch (error) {
      await this.record(subject, draft, startedAt, { error });
      throw error;
    }
  }

  private async record(
    subject: RunSubject,
    draft: RunDraft,
    startedAt: Date,
    ended: { readonly result: PublishedRun } | { readonly error: unknown },
  ): Promise<void> {
    const { config, log } = this.options;
    const finishedAt = this.clock();
    // A published run is known by its version; any other by when it ended, in the same form.
    const runId = 'result' in ended ? ended.result.version : newVersion(finishedAt);
    try {
      const heldOut = this.heldOut(subject, runId, draft);
      const record: RunRecord = buildRunRecord({
        subject,
        runId,
        startedAt,
        finishedAt,
        config,
        machine: this.options.machine,
        draft,
        outcome: runOutcome(ended),
        heldOutHours: heldOut?.hours.length ?? null,
        scaleChoice: draft.figures.test.distribution === null ? undefined : configuredScaleChoice(config),
      });
      await this.options.records.write(record, heldOut);
      log.info('run_recorded', `${subject}: run ${runId} recorded (${record.outcome.status})`, {
        pair: subject,
        run_id: runId,
        outcome: record.outcome.status,
      });
    } catch (error) {
      log.warn(
        'run_record_failed',
        `${subject}: the record of run ${runId} was not written: ${errorReason(error)}`,
        {
          pair: subject,
          run_id: runId,
          reason: errorReason(error),
        },
      );
    }
  }

  private heldOut(subject: RunSubject, runId: string, draft: RunDraft): HeldOutForecasts | null {
    const input = draft.heldOut;
    if (input === null) return null;
    const { family, calibration } = input.spec;
    return {
      schema_version: 1,
      subject,
      run_id: runId,
      family,
      calibration,
      hours: heldOutHours(input.candles, input.windows, family, calibration),
    };
  }
}
