/** Element-wise comparison of model outputs, and running an exported model with onnxruntime-node. */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ONNX_IO } from './constants.js';
import { OnnxExportError, ParityShapeError } from './errors.js';
import type { ParityReport, ParityTolerance } from './types.js';

function checkTolerance({ atol, rtol }: ParityTolerance): void {
  if (!(Number.isFinite(atol) && atol >= 0 && Number.isFinite(rtol) && rtol >= 0)) {
    throw new RangeError(`Tolerances must be finite and >= 0, got atol ${atol}, rtol ${rtol}`);
  }
}

/** How much of its tolerance an element uses: above 1 it fails; NaN and infinities count as Infinity. */
function toleranceUsed(absError: number, allowed: number): number {
  if (absError === 0) return 0;
  const used = absError / allowed;
  return Number.isNaN(used) ? Infinity : used;
}

/**
 * Compares `actual` with `expected` element by element with numpy.allclose semantics
 * (equal_nan = false): element k passes when |a - e| <= atol + rtol * |e|, so the
 * tolerance scales with the expected value only. NaN never passes; an infinity passes
 * only against the same infinity.
 *
 * @throws ParityShapeError when the lengths differ; RangeError on a negative or non-finite tolerance.
 */
export function compareOutputs(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  tolerance: ParityTolerance,
): ParityReport {
  checkTolerance(tolerance);
  if (expected.length !== actual.length) {
    throw new ParityShapeError(
      `Cannot compare ${actual.length} outputs with ${expected.length} expected values`,
    );
  }
  const { atol, rtol } = tolerance;
  let maxAbsError = 0;
  let maxRelError = 0;
  let worstIndex = -1;
  let worstScore = -1;
  let failures = 0;

  for (let k = 0; k < expected.length; k += 1) {
    const e = Number(expected[k]);
    const a = Number(actual[k]);
    const absError = a === e ? 0 : Math.abs(a - e); // a === e also covers equal infinities
    const relError = absError === 0 ? 0 : absError / Math.abs(e); // Infinity where e is 0
    const allowed = atol + rtol * Math.abs(e);
    const close = Number.isFinite(a) && Number.isFinite(e) ? absError <= allowed : a === e;

    if (!close) failures += 1;
    maxAbsError = Math.max(maxAbsError, absError); // Math.max keeps a NaN
    maxRelError = Math.max(maxRelError, relError);
    const score = toleranceUsed(absError, allowed);
    if (score > worstScore) {
      worstScore = score;
      worstIndex = k;
    }
  }

  return { ok: failures === 0, maxAbsError, maxRelError, worstIndex, count: expected.length, failures };
}

/**
 * Runs an exported model on a batch of windows with onnxruntime-node (CPU) and returns
 * its output, one value per window. The session is released before returning.
 *
 * @param windows float32 [batch, sequenceLength, featureCount], row-major.
 */
export async function runOnnx(
  modelBytes: Uint8Array,
  windows: Float32Array,
  batch: number,
  sequenceLength: number,
  featureCount: number,
): Promise<Float32Array> {
  checkInputSize('windows', windows, [batch, sequenceLength, featureCount]);
  const input = new Tensor('float32', windows, [batch, sequenceLength, featureCount]);
  return runSession(modelBytes, { [ONNX_IO.input]: input }, ONNX_IO.output, batch);
}

/** @throws ParityShapeError unless `values` holds exactly as many values as a row-major `dims` tensor. */
export function checkInputSize(name: string, values: ArrayLike<number>, dims: readonly number[]): void {
  const expected = dims.reduce((product, d) => product * d, 1);
  if (values.length !== expected) {
    throw new ParityShapeError(`${name} holds ${values.length} values, expected ${dims.join(' x ')}`);
  }
}

/**
 * Runs a model on `feeds` with onnxruntime-node (CPU) and returns its output `outputName`, which must be
 * float32 [batch, 1]. The session is released before returning.
 */
export async function runSession(
  modelBytes: Uint8Array,
  feeds: Record<string, Tensor>,
  outputName: string,
  batch: number,
): Promise<Float32Array> {
  const session = await InferenceSession.create(modelBytes);
  try {
    const results = await session.run(feeds);
    const output = results[outputName];
    if (!output || output.type !== 'float32' || output.dims.join(',') !== `${batch},1`) {
      const got = output ? `${output.type} [${output.dims.join(', ')}]` : 'nothing';
      throw new OnnxExportError(`Model output '${outputName}' should be float32 [${batch}, 1], got ${got}`);
    }
    return Float32Array.from(output.data as Float32Array);
  } finally {
    await session.release();
  }
}
