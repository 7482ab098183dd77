import type { Config } from '../../../core/config/index.js';
import type { ForecastMetrics } from '../../../core/metrics/index.js';
import { SkillGateError, ValidationGateError } from './errors.js';

export interface GateInput {
  readonly validation: Config['validation'];
  /** The best epoch's scaled validation loss. */
  readonly bestValLoss: number;
  /** The scaled test loss of the network kept. */
  readonly testLoss: number;
  /** The test windows scored in prices beside the naive forecast. */
  readonly accuracy: ForecastMetrics;
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
  return { meanValTest };
}
