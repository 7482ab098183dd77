import type { Config } from '../../../core/config/index.js';
import {
  RunRecordSchema,
  type RunMachine,
  type RunOutcome,
  type RunRecord,
  type RunSubject,
  type ScaleChoice,
} from '../../../core/runs/run-record.js';
import type { RunDraft } from './draft.js';

export interface RunRecordInput {
  readonly subject: RunSubject;
  readonly runId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly config: Config;
  readonly machine: RunMachine;
  readonly draft: Pick<RunDraft, 'data' | 'training' | 'figures'>;
  readonly outcome: RunOutcome;
  /** Held-out hours kept beside the record; null when none were. */
  readonly heldOutHours: number | null;
  readonly scaleChoice?: ScaleChoice | undefined;
}

/** The settings a record keeps: what decides what a run trains and how it is judged; no endpoint, no key. */
export function runSettings(config: Config): RunRecord['settings'] {
  const { market, features, training, validation, distribution } = config;
  // Through JSON: the record holds plain data, whatever the parsed configuration carries.
  return JSON.parse(
    JSON.stringify({ market, features, training, validation, distribution }),
  ) as RunRecord['settings'];
}

/**
 * The scale a pair serves when it fits its own: what the configuration fixed (distribution.scale),
 * with no candidate measured against another. The shared network's publication chooses per pair on
 * validation CRPS and says so in its own records.
 */
export function configuredScaleChoice(config: Config): ScaleChoice {
  const scale = config.distribution.scale;
  return {
    served: scale,
    network_val_crps_bp: null,
    linear_val_crps_bp: null,
    reason:
      scale === 'linear'
        ? "configured (distribution.scale linear): the pair's own correction of B1, fitted by CRPS on its training windows"
        : 'configured (distribution.scale b1): the EWMA volatility estimate itself',
  };
}

/** A run's record from what it observed and how it ended, validated by its schema. Pure. */
export function buildRunRecord(input: RunRecordInput): RunRecord {
  const { draft, outcome } = input;
  return RunRecordSchema.parse({
    schema_version: 1,
    run_id: input.runId,
    subject: input.subject,
    version: outcome.status === 'published' ? input.runId : null,
    started_at: input.startedAt.toISOString(),
    finished_at: input.finishedAt.toISOString(),
    duration_seconds: Math.max(0, (input.finishedAt.getTime() - input.startedAt.getTime()) / 1000),
    data: draft.data,
    settings: runSettings(input.config),
    machine: input.machine,
    training: draft.training,
    figures: draft.figures,
    ...(input.scaleChoice === undefined ? {} : { scale_choice: input.scaleChoice }),
    heldout_hours: input.heldOutHours,
    outcome,
  });
}
