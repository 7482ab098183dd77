import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistributionMetrics, ForecastMetrics } from '../../../core/metrics/index.js';
import {
  CrpsSkillGateError,
  SkillGateError,
  ValidationGateError,
} from '../../../training-image/src/pipeline/errors.js';
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
      validation: { max_mean_loss: 0.5, min_skill: 0, min_crps_skill: null },
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
            validation: { max_mean_loss: 0.2, min_skill: null, min_crps_skill: null },
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
      () => passGates({ ...input, validation: { max_mean_loss: 1, min_skill: 0, min_crps_skill: null } }),
      SkillGateError,
    );
    assert.doesNotThrow(() =>
      passGates({ ...input, validation: { max_mean_loss: 1, min_skill: null, min_crps_skill: null } }),
    );
  });

  it('refuses a CRPS skill against B1 under min_crps_skill, and passes any when it is null', () => {
    const scores = (crps: number) => ({ crps_bp: crps }) as DistributionMetrics['model'];
    const distribution = { crps_skill: -0.01, model: scores(40.4), b1: scores(40) } as DistributionMetrics;
    const input = { bestValLoss: 0.1, testLoss: 0.1, accuracy: accuracy(0.1), distribution };
    assert.throws(
      () => passGates({ ...input, validation: { max_mean_loss: 1, min_skill: null, min_crps_skill: 0 } }),
      (error: unknown) =>
        error instanceof CrpsSkillGateError &&
        /min_crps_skill 0 \(CRPS 40.40 bp, B1 40.00 bp\)/.test(error.message),
    );
    assert.doesNotThrow(() =>
      passGates({ ...input, validation: { max_mean_loss: 1, min_skill: null, min_crps_skill: -0.02 } }),
    );
    assert.doesNotThrow(() =>
      passGates({ ...input, validation: { max_mean_loss: 1, min_skill: null, min_crps_skill: null } }),
    );
  });
});
