/** The test harness around the official ONNX checker (test/support/onnx-checker.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportToOnnx } from '../../../training-image/src/onnx/export.js';
import { onnx } from '../../../training-image/src/onnx/proto.js';
import { checkOnnxModel, OnnxCheckError } from '../../support/onnx-checker.js';
import { decodeModel, randomWeights } from './fixtures.js';

const MISSING_PYTHON = '/nonexistent/python3';
const weights = randomWeights({ sequenceLength: 6, featureCount: 3, hiddenSizes: [4, 4] }, 5);

describe('checkOnnxModel', () => {
  it('skips with a plain reason when the interpreter is missing outside CI', async () => {
    const result = await checkOnnxModel(exportToOnnx(weights), { python: MISSING_PYTHON, env: {} });

    assert.equal(result.status, 'skipped');
    assert.match(
      result.status === 'skipped' ? result.reason : '',
      /\/nonexistent\/python3 is not an executable/,
    );
  });

  it('fails when the interpreter is missing on CI', async () => {
    await assert.rejects(
      checkOnnxModel(exportToOnnx(weights), { python: MISSING_PYTHON, env: { CI: 'true' } }),
      (error: unknown) => error instanceof OnnxCheckError && /required/.test(error.message),
    );
  });

  it('rejects a model whose LSTM hidden_size contradicts its weights, with the checker message', async (t) => {
    // Prepare: break the first LSTM's hidden_size so strict shape inference must fail.
    const model = decodeModel(exportToOnnx(weights));
    const lstm = model.graph?.node?.find((n) => n.opType === 'LSTM');
    const hiddenSize = lstm?.attribute?.find((a) => a.name === 'hidden_size');
    assert.ok(hiddenSize);
    hiddenSize.i = 5;
    const broken = onnx.ModelProto.encode(model).finish();
    const probe = await checkOnnxModel(exportToOnnx(weights));
    if (probe.status === 'skipped') {
      t.skip(`ONNX checker not run: ${probe.reason}`);
      return;
    }

    // Act, Assess
    await assert.rejects(
      checkOnnxModel(broken),
      (error: unknown) => error instanceof OnnxCheckError && /rejected the model/.test(error.message),
    );
  });
});
