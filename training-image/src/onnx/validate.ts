import type { ForecastNetworkWeights } from '../model/weights.js';
import { InvalidWeightsError } from './errors.js';

export function isPositiveInteger(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

/** Adds to `problems` why `values` is not a Float32Array of `expectedLength` finite numbers, if it is not. */
export function checkArray(
  problems: string[],
  label: string,
  values: Float32Array,
  expectedLength: number,
): void {
  if (!(values instanceof Float32Array)) {
    problems.push(`${label} must be a Float32Array`);
    return;
  }
  if (values.length !== expectedLength) {
    problems.push(`${label} has ${values.length} values, expected ${expectedLength}`);
    return;
  }
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) problems.push(`${label}[${bad}] is ${values[bad]}, not a finite number`);
}

/**
 * Checks that the weights describe a complete stacked LSTM + Dense(1) network: sizes
 * positive integers, each layer reading the previous one's hidden size, every array of
 * the length its shape implies and free of NaN and infinities.
 *
 * @throws InvalidWeightsError listing every problem found.
 */
export function validateWeights(weights: ForecastNetworkWeights): void {
  const problems: string[] = [];
  if (!isPositiveInteger(weights.sequenceLength)) {
    problems.push(`sequenceLength must be a positive integer, got ${weights.sequenceLength}`);
  }
  if (!isPositiveInteger(weights.featureCount)) {
    problems.push(`featureCount must be a positive integer, got ${weights.featureCount}`);
  }
  if (weights.lstm.length === 0) problems.push('lstm must hold at least one layer');

  let expectedInput = weights.featureCount;
  weights.lstm.forEach((layer, k) => {
    const label = `lstm[${k}]`;
    const { inputSize, hiddenSize } = layer;
    if (inputSize !== expectedInput) {
      const source = k === 0 ? 'featureCount' : `lstm[${k - 1}].hiddenSize`;
      problems.push(`${label}.inputSize is ${inputSize}, expected ${expectedInput} (${source})`);
    }
    if (!isPositiveInteger(inputSize) || !isPositiveInteger(hiddenSize)) {
      problems.push(`${label}: inputSize and hiddenSize must be positive integers`);
    } else {
      checkArray(problems, `${label}.kernel`, layer.kernel, inputSize * 4 * hiddenSize);
      checkArray(problems, `${label}.recurrentKernel`, layer.recurrentKernel, hiddenSize * 4 * hiddenSize);
      checkArray(problems, `${label}.bias`, layer.bias, 4 * hiddenSize);
    }
    expectedInput = hiddenSize;
  });

  const last = weights.lstm.at(-1);
  if (last && isPositiveInteger(last.hiddenSize)) {
    checkArray(problems, 'denseKernel', weights.denseKernel, last.hiddenSize);
  }
  checkArray(problems, 'denseBias', weights.denseBias, 1);
  const scale = weights.outputScale;
  if (scale !== undefined && !(Number.isFinite(scale) && scale >= 0)) {
    problems.push(`outputScale must be a finite number >= 0, got ${scale}`);
  }
  const residual = weights.residualFeature;
  if (
    residual !== undefined &&
    !(Number.isInteger(residual) && residual >= 0 && residual < weights.featureCount)
  ) {
    problems.push(
      `residualFeature must be a feature index below featureCount ${weights.featureCount}, got ${residual}`,
    );
  }

  if (problems.length > 0) throw new InvalidWeightsError(problems);
}
