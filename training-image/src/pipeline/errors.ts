/** A training run that must not publish; the message is the one-line reason the CLI prints. */
export class PipelineError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelineError';
  }
}

/** The original's gate: mean of validation and test loss over the configured maximum. */
export class ValidationGateError extends PipelineError {
  public constructor(
    public readonly meanLoss: number,
    public readonly maxMeanLoss: number,
  ) {
    super(
      `validation gate failed: mean of validation and test loss ${meanLoss.toPrecision(4)} is not under validation.max_mean_loss ${maxMeanLoss}; nothing was published`,
    );
    this.name = 'ValidationGateError';
  }
}

/** The ONNX model does not reproduce the TensorFlow.js model within tolerance. */
export class ParityError extends PipelineError {
  public constructor(
    public readonly what: string,
    public readonly maxAbsError: number,
    public readonly failures: number,
  ) {
    super(
      `ONNX parity check failed on ${what}: ${failures} output(s) outside tolerance, max abs error ${maxAbsError.toExponential(3)}; nothing was published`,
    );
    this.name = 'ParityError';
  }
}
