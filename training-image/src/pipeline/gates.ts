import type { Config } from '../../../core/config/index.js';
import type { DistributionMetrics, ForecastMetrics } from '../../../core/metrics/index.js';
import { CrpsSkillGateError, SkillGateError, ValidationGateError } from './errors.js';

export interface GateInput {
  readonly validation: Config['validation'];
  /** The best epoch's scaled validation loss. */
  readonly bestValLoss: number;
  /** The scaled test loss of the network kept. */
  readonly testLoss: number;
  /** The test windows scored in prices beside the naive forecast. */
  readonly accuracy: ForecastMetrics;
  /** The distribution of the next close on the same test windows, beside B1. */
  readonly distribution?: DistributionMetrics;
}

/**
 * The checks a trained model must pass before it may be published; each failure throws the error the
 * CLI prints as its one-line reason. Returns the mean of validation and test loss, which metrics.json
 * records beside the limit it was held to.
 */
export function passGates(input: GateInput): { readonly meanValTest: number } {
  const { validation, accuracy } = input;
  const meanValTest = (input.bestValLoss + input.testLoss) / 2;
  if (!(meanValTest < validation.max_mean_loss)) {
    throw new ValidationGateError(meanValTest, validation.max_mean_loss);
  }
  // The promotion gate: a model whose test skill is under validation.min_skill (0: one that loses to
  // "next close = last close") is not worth serving, so the version already published keeps serving.
  const minSkill = validation.min_skill;
  if (minSkill !== null && !(accuracy.skill >= minSkill)) {
    throw new SkillGateError({
      skill: accuracy.skill,
      minSkill,
      mae: accuracy.mae,
      naiveMae: accuracy.naiveMae,
    });
  }
  // The distribution gate: intervals no better than the EWMA volatility baseline's are not worth serving.
  const minCrpsSkill = validation.min_crps_skill;
  const distribution = input.distribution;
  if (minCrpsSkill !== null && distribution !== undefined && !(distribution.crps_skill >= minCrpsSkill)) {
    throw new CrpsSkillGateError(
      distribution.crps_skill,
      minCrpsSkill,
      distribution.model.crps_bp,
      distribution.b1.crps_bp,
    );
  }
  return { meanValTest };
}
