/** Base of every error raised by core/predictor, so a caller can catch the whole domain at once. */
export class PredictorError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PredictorError';
  }
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
