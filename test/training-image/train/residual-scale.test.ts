import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { residualScale } from '../../../training-image/src/train/residual-scale.js';

describe('residualScale', () => {
  it('is the standard deviation of the label minus the last step of the feature', () => {
    // 3 windows of 2 steps x 2 features; feature 1's last values are 0.5, 0.25, 1; changes 0.1, -0.05, 0.
    const x = Float32Array.from([0, 0, 0, 0.5, 0, 0, 0, 0.25, 0, 0, 0, 1]);
    const y = Float32Array.from([0.6, 0.2, 1]);
    const changes = [0.6 - 0.5, 0.2 - 0.25, 0];
    const mean = changes.reduce((a, b) => a + b) / 3;
    const expected = Math.sqrt(changes.reduce((a, c) => a + (c - mean) ** 2, 0) / 3);

    const scale = residualScale({ count: 3, sequenceLength: 2, featureCount: 2, x, y }, 1);

    assert.ok(Math.abs(scale - expected) < 1e-7, `${scale} vs ${expected}`);
  });

  it('falls back to 1 when the change never varies or there are no windows', () => {
    const x = Float32Array.from([0, 0.5, 0, 0.5]);
    assert.equal(
      residualScale({ count: 2, sequenceLength: 1, featureCount: 2, x, y: Float32Array.from([0.7, 0.7]) }, 1),
      1,
    );
    assert.equal(
      residualScale(
        { count: 0, sequenceLength: 1, featureCount: 2, x: new Float32Array(), y: new Float32Array() },
        1,
      ),
      1,
    );
  });
});
