import { ONNX_IO, SCALE_ONNX_IO } from '../adapters/inference/onnx-io.js';
import { prepareWindow } from '../core/features/pipeline.js';
import type { Candle } from '../core/market/candle.js';
import type { ScaleNetworkFeeds } from '../core/distribution/scale-network-input.js';
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

/**
 * The point model on the last window of `context` (its candles and the features' warm-up): the scaled
 * close runWindow gives, and that close in price, read from the last close as training scored it, so
 * that "no change" is the last close to the cent.
 */
export async function runPointModel(
  leases: SessionLeases,
  model: LoadedModel,
  context: readonly Candle[],
  lastClose: number,
): Promise<{ readonly scaled: number; readonly close: number }> {
  const input = prepareWindow(context, model.scaler, model.sequenceLength);
  const scaled = await runWindow(leases, model, input);
  const width = model.scaler.features.length;
  const lastScaled = input[(model.sequenceLength - 1) * width + model.scaler.columnIndex('close')]!;
  return { scaled, close: model.scaler.inverseFromAnchor(scaled, { scaled: lastScaled, raw: lastClose }) };
}

/**
 * Runs a loaded model's shared scale network (scale.onnx) on one window's feeds (scaleNetworkFeeds) and
 * returns log_scale, under the same lease as the point model's session. ModelOutputError when not finite.
 */
export async function runScaleWindow(
  leases: SessionLeases,
  model: LoadedModel,
  feeds: ScaleNetworkFeeds,
): Promise<number> {
  const session = model.scaleSession;
  if (session === null) throw new ModelOutputError(model.pair, model.version, 'no scale.onnx session');
  return leases.hold(model, async () => {
    const output = await session.run([
      { name: SCALE_ONNX_IO.sequence, data: feeds.sequence, dims: [1, feeds.sequence.length / 2, 2] },
      { name: SCALE_ONNX_IO.inputs, data: feeds.inputs, dims: [1, feeds.inputs.length] },
    ]);
    const value = output[SCALE_ONNX_IO.output]?.data[0];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ModelOutputError(model.pair, model.version, value);
    }
    return value;
  });
}
