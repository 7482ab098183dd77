/** A backtest that cannot run as asked; the message is the one-line reason the CLI prints. */
export class BacktestError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BacktestError';
  }
}

/** The candles cannot be cut into the folds asked for (too few, or a bad count). */
export class BacktestPlanError extends BacktestError {
  public constructor(message: string) {
    super(message);
    this.name = 'BacktestPlanError';
  }
}
