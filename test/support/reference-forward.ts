/**
 * A plain float64 forward pass of the forecasting network, written from the Keras
 * equations and nothing else: the independent oracle the ONNX export is checked against.
 *
 *   z   = x_t @ kernel + h_{t-1} @ recurrentKernel + bias      (blocks i, f, c, o)
 *   c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(c)
 *   h_t = sigmoid(o) * tanh(c_t)
 *   y   = h_L(last layer) @ denseKernel + denseBias
 */
import type { ForecastNetworkWeights, LstmLayerWeights } from '../../training-image/src/model/weights.js';
import { validateWeights } from '../../training-image/src/onnx/validate.js';

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Runs one layer over a whole sequence; returns its hidden states, [steps * hiddenSize]. */
function runLayer(layer: LstmLayerWeights, inputs: Float64Array, steps: number): Float64Array {
  const { inputSize: n, hiddenSize: H, kernel, recurrentKernel, bias } = layer;
  const width = 4 * H;
  const hidden = new Float64Array(steps * H);
  const h = new Float64Array(H);
  const c = new Float64Array(H);
  const z = new Float64Array(width);

  for (let t = 0; t < steps; t += 1) {
    for (let col = 0; col < width; col += 1) z[col] = bias[col] ?? 0;
    for (let row = 0; row < n; row += 1) {
      const x = inputs[t * n + row] ?? 0;
      for (let col = 0; col < width; col += 1) z[col] = (z[col] ?? 0) + x * (kernel[row * width + col] ?? 0);
    }
    for (let row = 0; row < H; row += 1) {
      const hPrev = h[row] ?? 0;
      for (let col = 0; col < width; col += 1) {
        z[col] = (z[col] ?? 0) + hPrev * (recurrentKernel[row * width + col] ?? 0);
      }
    }
    for (let unit = 0; unit < H; unit += 1) {
      const inputGate = sigmoid(z[unit] ?? 0);
      const forgetGate = sigmoid(z[H + unit] ?? 0);
      const candidate = Math.tanh(z[2 * H + unit] ?? 0);
      const outputGate = sigmoid(z[3 * H + unit] ?? 0);
      const cell = forgetGate * (c[unit] ?? 0) + inputGate * candidate;
      c[unit] = cell;
      h[unit] = outputGate * Math.tanh(cell);
    }
    hidden.set(h, t * H);
  }
  return hidden;
}

/**
 * Predicts one value per window.
 *
 * @param windows float32 [batch, sequenceLength, featureCount], row-major.
 * @returns float64 [batch].
 * @throws RangeError when `windows` is not a whole number of windows.
 */
export function referenceForward(weights: ForecastNetworkWeights, windows: Float32Array): Float64Array {
  validateWeights(weights);
  const { sequenceLength: L, featureCount: F } = weights;
  const windowSize = L * F;
  if (windows.length % windowSize !== 0) {
    throw new RangeError(
      `windows holds ${windows.length} values, not a multiple of ${L} x ${F} = ${windowSize}`,
    );
  }
  const batch = windows.length / windowSize;
  const out = new Float64Array(batch);

  for (let s = 0; s < batch; s += 1) {
    const window = windows.subarray(s * windowSize, (s + 1) * windowSize);
    let sequence: Float64Array = Float64Array.from(window);
    for (const layer of weights.lstm) sequence = runLayer(layer, sequence, L);

    const H = weights.lstm.at(-1)?.hiddenSize ?? 0;
    let y = weights.denseBias[0] ?? 0;
    for (let unit = 0; unit < H; unit += 1) {
      y += (sequence[(L - 1) * H + unit] ?? 0) * (weights.denseKernel[unit] ?? 0);
    }
    y *= weights.outputScale ?? 1;
    const residual = weights.residualFeature;
    out[s] = residual === undefined ? y : y + (window[(L - 1) * F + residual] ?? 0);
  }
  return out;
}
