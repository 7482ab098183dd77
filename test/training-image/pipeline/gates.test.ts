import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ForecastMetrics } from '../../../core/metrics/index.js';
import { SkillGateError, ValidationGateError } from '../../../training-image/src/pipeline/errors.js';
import { passGates } from '../../../training-image/src/pipeline/gates.js';

const accuracy = (skill: number): ForecastMetrics => ({
  windows: 10,
  mae: 90,
  rmse: 100,
  mape: 0.01,
  naiveMae: 100,
  naiveRmse: 110,
  skill,
  directionAccuracy: 0.5,
});

describe('passGates', () => {
  it('returns the mean of validation and test loss when both gates pass', () => {
    const result = passGates({
      validation: { max_mean_loss: 0.5, min_skill: 0 },
      bestValLoss: 0.1,
      testLoss: 0.3,
      accuracy: accuracy(0.1),
    });
    assert.equal(result.meanValTest, 0.2);
  });

  it('refuses a mean loss at or over max_mean_loss, and a NaN one', () => {
    for (const testLoss of [0.3, Number.NaN]) {
      assert.throws(
        () =>
          passGates({
            validation: { max_mean_loss: 0.2, min_skill: null },
            bestValLoss: 0.1,
            testLoss,
            accuracy: accuracy(0.1),
          }),
        ValidationGateError,
      );
    }
  });

  it('refuses a skill under min_skill, and passes any skill when min_skill is null', () => {
    const input = { bestValLoss: 0.1, testLoss: 0.1, accuracy: accuracy(-0.5) };
    assert.throws(
      () => passGates({ ...input, validation: { max_mean_loss: 1, min_skill: 0 } }),
      SkillGateError,
    );
    assert.doesNotThrow(() => passGates({ ...input, validation: { max_mean_loss: 1, min_skill: null } }));
  });
});
