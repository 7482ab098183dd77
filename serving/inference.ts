import { ONNX_IO } from '../adapters/inference/onnx-io.js';
import { ModelOutputError } from './errors.js';
import type { LoadedModel } from './model-loader.js';
import type { SessionLeases } from './session-leases.js';

/**
 * Runs a loaded model's session on one scaled window, holding a lease on the session so that a swap to a
 * newer version cannot release it mid-run, and returns the scaled close of the next candle, before the
 * scaler maps it back to a price. A non-finite output is a ModelOutputError (503 material: the
 * published model is broken), never a price.
 */
export async function runWindow(
  leases: SessionLeases,
  model: LoadedModel,
  window: Float32Array,
): Promise<number> {
  return leases.hold(model, async () => {
    const output = await model.session.run([
      { name: ONNX_IO.input, data: window, dims: [1, model.sequenceLength, model.featureCount] },
    ]);
    const value = output[ONNX_IO.output]?.data[0];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ModelOutputError(model.pair, model.version, value);
    }
    return value;
  });
}
