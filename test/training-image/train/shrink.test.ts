import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shrinkTowardNaive } from '../../../training-image/src/train/shrink.js';

/** Windows of one step and one feature: x is the last value, y the next. */
function set(x: number[], y: number[]) {
  return {
    count: x.length,
    sequenceLength: 1,
    featureCount: 1,
    x: Float32Array.from(x),
    y: Float32Array.from(y),
  };
}

describe('shrinkTowardNaive', () => {
  const last = [1, 2, 3, 4];
  const next = [1.5, 1.5, 3.5, 3.5];

  it('keeps the whole change when the network predicts it exactly', () => {
    const result = shrinkTowardNaive(set(last, next), Float32Array.from(next), 0);

    assert.equal(result.factor, 1);
    assert.ok(result.mae < 1e-7);
    assert.ok(Math.abs(result.naiveMae - 0.5) < 1e-7);
  });

  it('falls back to the naive forecast when the predicted change only adds error', () => {
    // Predicted changes opposite to the real ones.
    const result = shrinkTowardNaive(set(last, next), Float32Array.from([0.5, 2.5, 2.5, 4.5]), 0);

    assert.equal(result.factor, 0);
    assert.equal(result.mae, result.naiveMae);
  });

  it('keeps the share that validation supports when the network overshoots', () => {
    // Predicted changes twice the real ones: half of them is exact.
    const result = shrinkTowardNaive(set(last, next), Float32Array.from([2, 1, 4, 3]), 0);

    assert.equal(result.factor, 0.5);
    assert.ok(result.mae < 1e-7);
  });
});
