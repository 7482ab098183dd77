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

export interface SkillGateContext {
  /** 1 - mae / naiveMae on the test windows. */
  readonly skill: number;
  readonly minSkill: number;
  /** The model's test MAE, in price units. */
  readonly mae: number;
  /** The naive forecast's ("next close = last close") MAE on the same windows. */
  readonly naiveMae: number;
}

/** The promotion gate: the model's test skill is under validation.min_skill, so the served version stays. */
export class SkillGateError extends PipelineError {
  public readonly skill: number;
  public readonly minSkill: number;
  public readonly mae: number;
  public readonly naiveMae: number;

  public constructor(context: SkillGateContext) {
    super(
      `promotion gate failed: test skill ${context.skill.toFixed(4)} is under validation.min_skill ${context.minSkill} (model MAE ${context.mae.toFixed(2)}, naive MAE ${context.naiveMae.toFixed(2)}); nothing was published, the previous version keeps serving`,
    );
    this.name = 'SkillGateError';
    this.skill = context.skill;
    this.minSkill = context.minSkill;
    this.mae = context.mae;
    this.naiveMae = context.naiveMae;
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

/**
 * The distribution gate: the served distribution's test CRPS skill against B1 (the EWMA volatility
 * baseline) is under validation.min_crps_skill, so the served version stays.
 */
export class CrpsSkillGateError extends PipelineError {
  public constructor(
    public readonly crpsSkill: number,
    public readonly minCrpsSkill: number,
    public readonly crpsBp: number,
    public readonly b1CrpsBp: number,
  ) {
    super(
      `distribution gate failed: test CRPS skill ${crpsSkill.toFixed(4)} against B1 is under validation.min_crps_skill ${minCrpsSkill} (CRPS ${crpsBp.toFixed(2)} bp, B1 ${b1CrpsBp.toFixed(2)} bp); nothing was published, the previous version keeps serving`,
    );
    this.name = 'CrpsSkillGateError';
  }
}
