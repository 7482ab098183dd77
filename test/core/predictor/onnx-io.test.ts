import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ONNX_IO } from '../../../core/predictor/index.js';
import { ONNX_IO as EXPORTED } from '../../../training-image/src/onnx/constants.js';

describe('ONNX_IO', () => {
  it('names the graph boundary exactly as the exporter writes it', () => {
    // The serving side keeps its own copy (core never imports the training image); they must agree.
    assert.deepEqual(ONNX_IO, EXPORTED);
  });
});
