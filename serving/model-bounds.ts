import { MODEL_BOUNDS } from '../core/artifacts/bounds.js';
import { CLOCK_SKEW_TOLERANCE_SECONDS, isFutureVersion } from '../core/artifacts/layout.js';
import type { ForecastDistribution } from '../core/distribution/served-schema.js';
import type { Metrics } from '../core/metrics/schema.js';
import { operatorProblems, type OnnxGraphSummary } from '../adapters/inference/onnx-graph.js';

export interface BoundsInput {
  readonly version: string;
  /** model.onnx's graph, as readOnnxGraph read it. */
  readonly graph: OnnxGraphSummary;
  readonly metrics: Metrics;
  readonly featureCount: number;
  readonly distribution: ForecastDistribution;
  /** scale.onnx's graph when the version serves the shared network. */
  readonly scaleGraph: OnnxGraphSummary | null;
  /** This server's clock, ms. */
  readonly now: number;
}

const within = (value: number, min: number, max: number): boolean => value >= min && value <= max;

/**
 * Why a signed, well-formed version must still not be served: each problem names the bound it breaks
 * (MODEL_BOUNDS, ALLOWED_OPERATORS, the clock skew tolerance). A signature says who published a version;
 * these keep what even the publisher may ship inside what serving can run safely.
 */
export function boundProblems(input: BoundsInput): string[] {
  const { metrics, distribution } = input;
  const problems: string[] = [];
  const length = metrics.model.sequence_length;
  const { sequenceLength, featureCount, correctionCoefficient, calibrationMultiplier } = MODEL_BOUNDS;
  if (!within(length, sequenceLength.min, sequenceLength.max)) {
    problems.push(
      `MODEL_BOUNDS.sequenceLength: the window is ${length} candles, outside ${sequenceLength.min}..${sequenceLength.max}`,
    );
  }
  if (!within(input.featureCount, featureCount.min, featureCount.max)) {
    problems.push(
      `MODEL_BOUNDS.featureCount: ${input.featureCount} features, outside ${featureCount.min}..${featureCount.max}`,
    );
  }
  const { scale, calibration } = distribution;
  if (scale.kind === 'linear') {
    const coefficients = [scale.correction.bias, ...scale.correction.weights];
    const largest = Math.max(...coefficients.map(Math.abs));
    if (!(largest <= correctionCoefficient.max)) {
      problems.push(
        `MODEL_BOUNDS.correctionCoefficient: the scale correction has a coefficient of ${largest}, over ${correctionCoefficient.max}`,
      );
    }
  }
  const calibrations = [calibration];
  if (scale.kind === 'shared_network') {
    const { hours, hidden_size: hidden, members } = scale.network;
    const { scaleNetworkHours, scaleNetworkHidden, scaleNetworkMembers } = MODEL_BOUNDS;
    if (!within(hours, scaleNetworkHours.min, Math.min(scaleNetworkHours.max, length - 1))) {
      problems.push(
        `MODEL_BOUNDS.scaleNetworkHours: the scale network reads ${hours} hours, outside ${scaleNetworkHours.min}..${Math.min(scaleNetworkHours.max, length - 1)} (inside the ${length}-candle window)`,
      );
    }
    if (!within(hidden, scaleNetworkHidden.min, scaleNetworkHidden.max)) {
      problems.push(
        `MODEL_BOUNDS.scaleNetworkHidden: ${hidden} units, outside ${scaleNetworkHidden.min}..${scaleNetworkHidden.max}`,
      );
    }
    if (!within(members, scaleNetworkMembers.min, scaleNetworkMembers.max)) {
      problems.push(
        `MODEL_BOUNDS.scaleNetworkMembers: ${members} members, outside ${scaleNetworkMembers.min}..${scaleNetworkMembers.max}`,
      );
    }
    calibrations.push(scale.network.pooled_calibration);
    if (input.scaleGraph === null)
      problems.push('scale.onnx: the distribution serves the shared network, the version has no scale.onnx');
    else problems.push(...operatorProblems(input.scaleGraph).map((problem) => `scale.onnx: ${problem}`));
  }
  for (const calibration of calibrations) {
    if (calibration === null) continue;
    const multipliers = [calibration.scale, ...calibration.levels.map((level) => level.multiplier)];
    const outside = multipliers.filter(
      (m) => !within(m, calibrationMultiplier.min, calibrationMultiplier.max),
    );
    if (outside.length > 0) {
      problems.push(
        `MODEL_BOUNDS.calibrationMultiplier: multipliers ${outside.join(', ')} outside ${calibrationMultiplier.min}..${calibrationMultiplier.max}`,
      );
    }
  }
  const skew = `the clock skew tolerance (${CLOCK_SKEW_TOLERANCE_SECONDS} s)`;
  if (isFutureVersion(input.version, input.now)) {
    problems.push(`${skew}: the version id ${input.version} is in the future of this server's clock`);
  }
  if (Date.parse(metrics.trained_at) > input.now + CLOCK_SKEW_TOLERANCE_SECONDS * 1_000) {
    problems.push(`${skew}: trained_at ${metrics.trained_at} is in the future of this server's clock`);
  }
  problems.push(...operatorProblems(input.graph));
  return problems;
}
