import type { Config } from '../core/config/schema.js';
import { schedulePeriodSeconds } from '../core/config/schedule.js';

import { CLOCK_SKEW_TOLERANCE_SECONDS } from '../core/artifacts/layout.js';

export { CLOCK_SKEW_TOLERANCE_SECONDS };

/**
 * How old a served model is against the schedule that should have replaced it. As with FreqAI's
 * `expired_hours`, a model that training failed to renew for several scheduled runs is reported, not
 * refused: it still answers, and the caller decides whether an old forecast is worth having.
 */
export interface ModelAge {
  /** Whole seconds since the model was trained (metrics.json's trained_at), at the time asked; >= 0. */
  readonly ageSeconds: number;
  /** The oldest a model may be and still be fresh: schedule period x stale_after_periods. */
  readonly staleAfterSeconds: number;
  /**
   * ageSeconds > staleAfterSeconds (exactly at the limit, and within its second, is still fresh), or
   * clockSkew: an age that cannot be measured is not vouched for as fresh.
   */
  readonly stale: boolean;
  /** trained_at is more than CLOCK_SKEW_TOLERANCE_SECONDS after now: one of the two clocks is wrong. */
  readonly clockSkew: boolean;
}

/** The schedule's period (schedule.expression) x serving.stale_after_periods, in seconds. */
export function staleAfterSeconds(config: Pick<Config, 'schedule' | 'serving'>): number {
  return schedulePeriodSeconds(config.schedule) * config.serving.stale_after_periods;
}

/** The age of a model trained at `trainedAt` (ISO 8601) at `now` (ms). */
export function modelAge(trainedAt: string, now: number, limitSeconds: number): ModelAge {
  // Whole seconds, and stale judged on the number reported, so that a client reading age_seconds and
  // stale_after_seconds comes to the same verdict as `stale`. A trained_at in the future gives age 0
  // (a negative age means nothing to a client) and, beyond the tolerance, the clock_skew flag, which
  // also makes the model stale: otherwise a training host whose clock runs a day ahead would publish
  // a model that reads as fresh for a day after it stopped being renewed.
  const elapsedSeconds = Math.floor((now - Date.parse(trainedAt)) / 1_000);
  const ageSeconds = Math.max(0, elapsedSeconds);
  const clockSkew = elapsedSeconds < -CLOCK_SKEW_TOLERANCE_SECONDS;
  return {
    ageSeconds,
    staleAfterSeconds: limitSeconds,
    stale: ageSeconds > limitSeconds || clockSkew,
    clockSkew,
  };
}
