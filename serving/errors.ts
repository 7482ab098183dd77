/** Base of every error raised by core/predictor, so a caller can catch the whole domain at once. */
export class PredictorError extends Error {
  public override name = 'PredictorError';
}

export const UNKNOWN_PAIR_REASONS = {
  /** The pair is not among the configured pairs this instance serves. */
  notServed: 'not_served',
  /** The pair is served, but no model was ever published for it (no latest.json). */
  notPublished: 'not_published',
} as const;

export type UnknownPairReason = (typeof UNKNOWN_PAIR_REASONS)[keyof typeof UNKNOWN_PAIR_REASONS];

/** No model answers for this pair; `available` lists the pairs that do, for the caller to pick from. */
export class UnknownPairError extends PredictorError {
  public readonly pair: string;
  public readonly available: readonly string[];
  public readonly reason: UnknownPairReason;

  public constructor(pair: string, available: readonly string[], reason: UnknownPairReason) {
    const why =
      reason === UNKNOWN_PAIR_REASONS.notServed
        ? `${pair} is not a served pair`
        : `no model has been published for ${pair} yet`;
    const list = available.length > 0 ? available.join(', ') : 'none yet';
    super(`${why}; pairs with a model: ${list}`);
    this.name = 'UnknownPairError';
    this.pair = pair;
    this.available = available;
    this.reason = reason;
  }
}

/**
 * A signed version that brings something serving does not run: an operator outside the allow-list, a
 * number outside MODEL_BOUNDS, a version or training time in the future. `problems` names each bound.
 */
export class ModelBoundsError extends PredictorError {
  public readonly pair: string;
  public readonly version: string;
  public readonly problems: readonly string[];

  public constructor(pair: string, version: string, problems: readonly string[]) {
    super(
      `Refusing ${pair} version ${version}: it breaks the bounds of what is served:\n${problems
        .map((p) => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'ModelBoundsError';
    this.pair = pair;
    this.version = version;
    this.problems = problems;
  }
}

/**
 * A published model cannot be served as is: its graph's inputs or outputs, sequence length or feature
 * count disagree with its scaler, manifest or metrics. `problems` lists each disagreement.
 */
export class ModelShapeError extends PredictorError {
  public readonly pair: string;
  public readonly version: string;
  public readonly problems: readonly string[];

  public constructor(pair: string, version: string, problems: readonly string[]) {
    super(
      `Refusing ${pair} version ${version}: the model does not match its scaler and manifest:\n${problems
        .map((p) => `  - ${p}`)
        .join(
          '\n',
        )}\nRepublish the pair with the training pipeline, or promote an earlier version: npm run jobs -- promote --pair ${pair} --version VERSION`,
    );
    this.name = 'ModelShapeError';
    this.pair = pair;
    this.version = version;
    this.problems = problems;
  }
}

/** model.onnx, scaler.json or metrics.json passed its checksum but cannot be used (not ONNX, bad JSON). */
export class ModelLoadError extends PredictorError {
  public readonly pair: string;
  public readonly version: string;
  /** The file that could not be used, for example `model.onnx`. */
  public readonly file: string;

  public constructor(pair: string, version: string, file: string, reason: string, options?: ErrorOptions) {
    super(`Cannot load ${file} of ${pair} version ${version}: ${reason}`, options);
    this.name = 'ModelLoadError';
    this.pair = pair;
    this.version = version;
    this.file = file;
  }
}

/** The exchange answered, but with too few usable candles to fill one window. */
export class MarketDataUnavailableError extends PredictorError {
  public readonly pair: string;
  public readonly needed: number;
  public readonly given: number;

  public constructor(pair: string, needed: number, given: number, detail: string, options?: ErrorOptions) {
    super(
      `Not enough candles for ${pair}: the model needs the last ${needed} closed candles, the exchange gave ${given} usable (${detail})`,
      options,
    );
    this.name = 'MarketDataUnavailableError';
    this.pair = pair;
    this.needed = needed;
    this.given = given;
  }
}

/**
 * The exchange's newest closed candle is not the one that closed last by this server's clock: the
 * exchange lags or stopped. A forecast of the "next" candle from that window would be of one already
 * in the past, so none is made.
 */
export class MarketStaleError extends PredictorError {
  public readonly pair: string;
  /** Open time (ms) of the newest candle the exchange gave. */
  public readonly newestOpenTime: number;
  /** Open time (ms) of the candle that closed last by the clock. */
  public readonly expectedOpenTime: number;

  public constructor(pair: string, newestOpenTime: number, expectedOpenTime: number) {
    super(
      `The newest candle of ${pair} the exchange gave opened at ${new Date(newestOpenTime).toISOString()}; ` +
        `the last closed one opened at ${new Date(expectedOpenTime).toISOString()}`,
    );
    this.name = 'MarketStaleError';
    this.pair = pair;
    this.newestOpenTime = newestOpenTime;
    this.expectedOpenTime = expectedOpenTime;
  }
}

/** The model ran but gave no usable number (NaN or infinite): nothing to serve from this version. */
export class ModelOutputError extends PredictorError {
  public readonly pair: string;
  public readonly version: string;
  public readonly value: string;

  public constructor(pair: string, version: string, value: unknown) {
    super(`${pair} version ${version} returned ${String(value)}, not a finite number`);
    this.name = 'ModelOutputError';
    this.pair = pair;
    this.version = version;
    this.value = String(value);
  }
}

/**
 * Storage did not answer within the time a request may wait for it (a cold pair's first load, a
 * listing, a readiness probe). The call goes on in the background; a later request may find it done.
 */
export class StorageTimeoutError extends PredictorError {
  /** What was waited for, for example `load BTC/USDT` or `list models`. */
  public readonly operation: string;
  public readonly waitedMs: number;

  public constructor(operation: string, waitedMs: number) {
    super(`Model storage did not answer within ${waitedMs} ms (${operation})`);
    this.name = 'StorageTimeoutError';
    this.operation = operation;
    this.waitedMs = waitedMs;
  }
}
