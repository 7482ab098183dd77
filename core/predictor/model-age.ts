import type { ServingConfig } from '../config/index.js';

/**
 * How old a served model is against the schedule that should have replaced it. As with FreqAI's
 * `expired_hours`, a model that training failed to renew for several scheduled runs is reported, not
 * refused: it still answers, and the caller decides whether an old forecast is worth having.
 */
export interface ModelAge {
  /** Whole seconds since the model was trained (metrics.json's trained_at), at the time asked. */
  readonly ageSeconds: number;
  /** The oldest a model may be and still be fresh: schedule period x stale_after_periods. */
  readonly staleAfterSeconds: number;
  /** ageSeconds > staleAfterSeconds: exactly at the limit (and within its second) is still fresh. */
  readonly stale: boolean;
}

/** serving.schedule_period_minutes x 60 x serving.stale_after_periods. */
export function staleAfterSeconds(
  serving: Pick<ServingConfig, 'schedule_period_minutes' | 'stale_after_periods'>,
): number {
  return serving.schedule_period_minutes * 60 * serving.stale_after_periods;
}

/** The age of a model trained at `trainedAt` (ISO 8601) at `now` (ms). */
export function modelAge(trainedAt: string, now: number, limitSeconds: number): ModelAge {
  // Whole seconds, and stale judged on the number reported, so that a client reading age_seconds and
  // stale_after_seconds comes to the same verdict as `stale`. A training host's clock slightly ahead
  // of this one would give a negative age: reported as 0.
  const ageSeconds = Math.max(0, Math.floor((now - Date.parse(trainedAt)) / 1_000));
  return { ageSeconds, staleAfterSeconds: limitSeconds, stale: ageSeconds > limitSeconds };
}
