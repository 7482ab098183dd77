/**
 * The training job's log line when a pair's new model is live (latest.json written), as JSON:
 * `{"level":"info","event":"done","pair":"BTC/USDT","version":"...",...}`. The training CLI prints it;
 * infra's staleness metric filter counts it per pair. Defined once here, the layer both import.
 */
export const MODEL_PUBLISHED_LOG = {
  /** The line's `event`. */
  event: 'done',
  /** The field naming the pair: the metric's dimension. */
  pairField: 'pair',
} as const;

/**
 * The training job's exit codes that its job definition never retries: a bad configuration (2), which a
 * retry cannot fix, and a run where some pairs published and others failed (3), whose retry would train
 * the published pairs again. A run that published nothing exits 1 and is retried (a passing outage).
 */
export const TRAINING_EXIT_CODES = { config: 2, partial: 3 } as const;
