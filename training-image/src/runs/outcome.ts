import type { RunGate, RunOutcome } from '../../../core/runs/run-record.js';
import { errorReason } from '../cli/reason.js';
import { CrpsSkillGateError, ParityError, SkillGateError, ValidationGateError } from '../pipeline/errors.js';

/** What publishing told: whether latest.json moved, and why not. */
export interface PublishedRun {
  readonly version: string;
  readonly promoted: boolean;
  readonly notPromotedBecause: string | null;
}

/** The gate an error is the refusal of, or null when it is not a gate's. */
export function refusingGate(error: unknown): RunGate | null {
  if (error instanceof ValidationGateError) return 'validation';
  if (error instanceof SkillGateError) return 'promotion';
  if (error instanceof CrpsSkillGateError) return 'distribution';
  if (error instanceof ParityError) return 'parity';
  return null;
}

/** How a run ended, from what it returned or threw. */
export function runOutcome(
  ended: { readonly result: PublishedRun } | { readonly error: unknown },
): RunOutcome {
  if ('result' in ended) {
    return {
      status: 'published',
      promoted: ended.result.promoted,
      not_promoted_because: ended.result.promoted ? null : (ended.result.notPromotedBecause ?? 'unknown'),
    };
  }
  const reason = errorReason(ended.error).slice(0, 4_000) || 'unknown error';
  const gate = refusingGate(ended.error);
  return gate === null ? { status: 'failed', reason } : { status: 'refused', gate, reason };
}
