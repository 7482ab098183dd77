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
