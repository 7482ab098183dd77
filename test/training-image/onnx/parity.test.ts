import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParityShapeError } from '../../../training-image/src/onnx/errors.js';
import { compareOutputs, runOnnx } from '../../../training-image/src/onnx/parity.js';

const tolerance = { atol: 1e-5, rtol: 1e-3 };

describe('compareOutputs', () => {
  it('passes identical arrays with zero error', () => {
    const report = compareOutputs([1, -2, 0], Float32Array.of(1, -2, 0), tolerance);

    assert.deepEqual(report, {
      ok: true,
      maxAbsError: 0,
      maxRelError: 0,
      worstIndex: 0,
      count: 3,
      failures: 0,
    });
  });

  it('scales the tolerance with |expected| (numpy.allclose: atol + rtol * |e|)', () => {
    // |e| = 100 allows 1e-5 + 0.1: an error of 0.09 passes there, and fails at e = 1.
    assert.equal(compareOutputs([100], [100.09], tolerance).ok, true);
    assert.equal(compareOutputs([1], [1.09], tolerance).ok, false);
  });

  it('uses |expected|, not |actual|, so the check is not symmetric', () => {
    // allowed = atol + rtol * |e|: 0 + 0.5 * 1 = 0.5 against an error of 1.
    assert.equal(compareOutputs([1], [2], { atol: 0, rtol: 0.5 }).ok, false);
    // allowed = 0 + 0.5 * 2 = 1 against the same error.
    assert.equal(compareOutputs([2], [1], { atol: 0, rtol: 0.5 }).ok, true);
  });

  it('accepts an error exactly at the tolerance', () => {
    assert.equal(compareOutputs([0], [0.25], { atol: 0.25, rtol: 0 }).ok, true);
  });

  it('reports the element furthest outside its tolerance, and how many fail', () => {
    // Errors 0.02 (allowed 0.1), 0.05 (allowed 0.00101: worst), 0.5 (allowed 1.0).
    const report = compareOutputs([100, 1, 1000], [100.02, 1.05, 1000.5], tolerance);

    assert.equal(report.ok, false);
    assert.equal(report.worstIndex, 1);
    assert.equal(report.failures, 1);
    assert.equal(report.count, 3);
    assert.ok(Math.abs(report.maxAbsError - 0.5) < 1e-9);
    assert.ok(Math.abs(report.maxRelError - 0.05) < 1e-9);
  });

  it('never passes NaN, and passes an infinity only against the same infinity', () => {
    assert.equal(compareOutputs([Number.NaN], [Number.NaN], tolerance).ok, false);
    assert.ok(Number.isNaN(compareOutputs([1, 2], [1, Number.NaN], tolerance).maxAbsError));
    assert.equal(compareOutputs([Infinity], [Infinity], tolerance).ok, true);
    assert.equal(compareOutputs([Infinity], [1e30], tolerance).ok, false);
    assert.equal(compareOutputs([1], [-Infinity], tolerance).worstIndex, 0);
  });

  it('reports Infinity relative error where expected is 0 and actual is not', () => {
    const report = compareOutputs([0], [1e-6], tolerance);

    assert.equal(report.ok, true);
    assert.equal(report.maxRelError, Infinity);
  });

  it('handles empty arrays', () => {
    assert.deepEqual(compareOutputs([], [], tolerance), {
      ok: true,
      maxAbsError: 0,
      maxRelError: 0,
      worstIndex: -1,
      count: 0,
      failures: 0,
    });
  });

  it('refuses arrays of different lengths and bad tolerances', () => {
    assert.throws(() => compareOutputs([1, 2], [1], tolerance), ParityShapeError);
    assert.throws(() => compareOutputs([1], [1], { atol: -1, rtol: 0 }), RangeError);
    assert.throws(() => compareOutputs([1], [1], { atol: 0, rtol: Number.NaN }), RangeError);
  });
});

describe('runOnnx', () => {
  it('refuses windows that do not match batch x L x F before loading anything', async () => {
    await assert.rejects(runOnnx(new Uint8Array(), new Float32Array(10), 2, 3, 2), ParityShapeError);
  });
});
