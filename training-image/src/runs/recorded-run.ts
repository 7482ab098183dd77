import type { RunRecords } from '../../../adapters/storage/run-records.js';
import { newVersion } from '../../../core/artifacts/layout.js';
import type { Config } from '../../../core/config/index.js';
import type { HeldOutForecasts } from '../../../core/runs/heldout.js';
import { heldOutHours } from '../../../core/runs/heldout-hours.js';
import type { RunMachine, RunRecord, RunSubject, ScaleChoice } from '../../../core/runs/run-record.js';
import { errorReason } from '../cli/reason.js';
import type { Log } from '../log.js';
import { buildRunRecord, configuredScaleChoice } from './build-record.js';
import { RunDraft, type MeasuredParts } from './draft.js';
import type { RunObserver } from './observer.js';
import { runOutcome, type PublishedRun } from './outcome.js';

/** How a run ended: what publishing returned, or what the run threw (a gate's refusal or a failure). */
export type RunEnd = { readonly result: PublishedRun } | { readonly error: unknown };

export interface RecordedRunOptions {
  readonly subject: RunSubject;
  readonly records: RunRecords;
  readonly config: Config;
  readonly machine: RunMachine;
  readonly log: Log;
  readonly clock: () => Date;
  /** What the training loss is, as the learning curves label it. */
  readonly lossName: string;
}

/**
 * One run of one subject, from its start to its record: told what the run measured as it reaches it (a
 * RunObserver, and `measured` and `scaleChosen` for what no observer step covers), then how it ended
 * (`end`), which writes its record and held-out hours. Recording never changes how the run ended: `end`
 * never throws, and a record that cannot be written is a warning in the log.
 */
export class RecordedRun implements RunObserver {
  public readonly subject: RunSubject;
  public readonly startedAt: Date;
  private readonly draft: RunDraft;
  private scale: ScaleChoice | undefined;
  private ended = false;

  public constructor(private readonly options: RecordedRunOptions) {
    this.subject = options.subject;
    this.startedAt = options.clock();
    this.draft = new RunDraft(options.lossName);
  }

  public candles: RunObserver['candles'] = (loaded, data) => this.draft.candles(loaded, data);
  public trained: RunObserver['trained'] = (trained) => this.draft.trained(trained);
  public distribution: RunObserver['distribution'] = (fitted, candles) =>
    this.draft.distribution(fitted, candles);

  /** Parts of the record given as they are (the shared network's epochs, for one). */
  public measured(parts: MeasuredParts): void {
    this.draft.measured(parts);
  }

  /**
   * Which scale the subject serves and why, when the run chose between candidates (the shared network
   * against the pair's linear correction). Without it, a run that reached its distribution records the
   * configured scale (configuredScaleChoice).
   */
  public scaleChosen(choice: ScaleChoice): void {
    this.scale = choice;
  }

  /**
   * Writes the run's record and held-out hours, and returns the record; null when it could not be written
   * (said in the log) or the run was ended already. A published run's id is its version; any other's is
   * the time it ended, in the same form.
   */
  public async end(ended: RunEnd): Promise<RunRecord | null> {
    const { config, log, records, subject } = { ...this.options, subject: this.subject };
    if (this.ended) {
      log.warn('run_record_twice', `${subject}: a run was ended twice; its first end was recorded`, {
        pair: subject,
      });
      return null;
    }
    this.ended = true;
    const finishedAt = this.options.clock();
    const runId = 'result' in ended ? ended.result.version : newVersion(finishedAt);
    try {
      const heldOut = this.heldOut(runId);
      const { draft } = this;
      const record = buildRunRecord({
        subject,
        runId,
        startedAt: this.startedAt,
        finishedAt,
        config,
        machine: this.options.machine,
        draft,
        outcome: runOutcome(ended),
        heldOutHours: heldOut?.hours.length ?? null,
        scaleChoice:
          this.scale ??
          (draft.figures.test.distribution === null ? undefined : configuredScaleChoice(config)),
      });
      await records.write(record, heldOut);
      log.info('run_recorded', `${subject}: run ${runId} recorded (${record.outcome.status})`, {
        pair: subject,
        run_id: runId,
        outcome: record.outcome.status,
      });
      return record;
    } catch (error) {
      log.warn(
        'run_record_failed',
        `${subject}: the record of run ${runId} was not written: ${errorReason(error)}`,
        { pair: subject, run_id: runId, reason: errorReason(error) },
      );
      return null;
    }
  }

  private heldOut(runId: string): HeldOutForecasts | null {
    const input = this.draft.heldOut;
    if (input === null) return null;
    const { family, calibration } = input.spec;
    return {
      schema_version: 1,
      subject: this.subject,
      run_id: runId,
      family,
      calibration,
      hours: heldOutHours(input.candles, input.windows, family, calibration),
    };
  }
}
