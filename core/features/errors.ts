/** Base of every error raised by core/features, so a caller can catch the whole domain at once. */
export class FeatureError extends Error {
  public override name = 'FeatureError';
}

/** A candle cannot become a feature row; `index` is its position in the input. */
export class InvalidCandleError extends FeatureError {
  public readonly index: number;
  public readonly reason: string;

  public constructor(index: number, reason: string, options?: ErrorOptions) {
    super(`Candle ${index}: ${reason}`, options);
    this.name = 'InvalidCandleError';
    this.index = index;
    this.reason = reason;
  }
}

/** A scaler cannot be fitted, read or applied; `problems` lists every reason found. */
export class ScalerError extends FeatureError {
  public readonly problems: readonly string[];

  public constructor(message: string, problems: readonly string[] = [], options?: ErrorOptions) {
    const details = problems.map((problem) => `\n  - ${problem}`).join('');
    super(`${message}${details}`, options);
    this.name = 'ScalerError';
    this.problems = problems;
  }
}

export interface NotEnoughDataContext {
  /** What was counted, for example `candles` or `training windows`. */
  readonly what: string;
  readonly needed: number;
  readonly given: number;
  /** Why that many are needed, shown after the counts. */
  readonly hint?: string;
}

/** Too few rows, candles or windows for the step asked; says how many were needed and how many given. */
export class NotEnoughDataError extends FeatureError {
  public readonly what: string;
  public readonly needed: number;
  public readonly given: number;

  public constructor(context: NotEnoughDataContext, options?: ErrorOptions) {
    const hint = context.hint === undefined ? '' : ` (${context.hint})`;
    super(
      `Not enough ${context.what}: needed at least ${context.needed}, given ${context.given}${hint}`,
      options,
    );
    this.name = 'NotEnoughDataError';
    this.what = context.what;
    this.needed = context.needed;
    this.given = context.given;
  }
}
