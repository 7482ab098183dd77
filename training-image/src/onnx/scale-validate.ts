import { SCALE_SEQUENCE_CHANNELS } from '../../../core/distribution/scale-sequence.js';
import type { Standardiser } from '../scale/fit.js';
import type { ScaleMemberWeights, ScaleNetworkShape } from '../scale/network.js';
import { InvalidWeightsError } from './errors.js';
import { checkArray, isPositiveInteger } from './validate.js';

const SHAPE_KEYS = ['hours', 'channels', 'hiddenSize', 'linearInputs'] as const;

function shapeProblems(shape: ScaleNetworkShape): string[] {
  const problems: string[] = [];
  for (const key of SHAPE_KEYS) {
    if (!isPositiveInteger(shape[key]))
      problems.push(`shape.${key} must be a positive integer, got ${shape[key]}`);
  }
  // The graph's contract (shared-network.ts) fixes the channels: serving writes exactly these.
  if (shape.channels !== SCALE_SEQUENCE_CHANNELS.length) {
    problems.push(
      `shape.channels is ${shape.channels}, expected ${SCALE_SEQUENCE_CHANNELS.length} (${SCALE_SEQUENCE_CHANNELS.join(', ')})`,
    );
  }
  return problems;
}

function memberProblems(
  problems: string[],
  member: ScaleMemberWeights,
  k: number,
  shape: ScaleNetworkShape,
): void {
  const label = `members[${k}]`;
  const differs = SHAPE_KEYS.filter((key) => member.shape[key] !== shape[key]);
  if (differs.length > 0) {
    // One LSTM runs every member: they must agree on every size.
    problems.push(
      `${label}.shape differs from members[0].shape in ${differs.map((key) => `${key} (${member.shape[key]} vs ${shape[key]})`).join(', ')}`,
    );
    return;
  }
  const { channels, hiddenSize: h, linearInputs: d } = shape;
  const { lstm } = member;
  if (lstm.inputSize !== channels || lstm.hiddenSize !== h) {
    problems.push(
      `${label}.lstm is ${lstm.inputSize} -> ${lstm.hiddenSize}, expected ${channels} -> ${h} (its shape)`,
    );
    return;
  }
  checkArray(problems, `${label}.lstm.kernel`, lstm.kernel, channels * 4 * h);
  checkArray(problems, `${label}.lstm.recurrentKernel`, lstm.recurrentKernel, h * 4 * h);
  checkArray(problems, `${label}.lstm.bias`, lstm.bias, 4 * h);
  checkArray(problems, `${label}.headKernel`, member.headKernel, h);
  checkArray(problems, `${label}.headBias`, member.headBias, 1);
  checkArray(problems, `${label}.linearKernel`, member.linearKernel, d);
  checkArray(problems, `${label}.linearBias`, member.linearBias, 1);
}

function standardiserProblems(problems: string[], standardiser: Standardiser, d: number): void {
  const { mean, sd } = standardiser;
  if (mean.length !== d)
    problems.push(`standardiser.mean has ${mean.length} values, expected ${d} (linearInputs)`);
  if (sd.length !== d) problems.push(`standardiser.sd has ${sd.length} values, expected ${d} (linearInputs)`);
  mean.forEach((m, j) => {
    if (!Number.isFinite(m)) problems.push(`standardiser.mean[${j}] is ${m}, not a finite number`);
  });
  sd.forEach((s, j) => {
    if (!(Number.isFinite(s) && s > 0))
      problems.push(`standardiser.sd[${j}] is ${s}, not a finite number > 0`);
  });
}

/**
 * Checks that `members` describe one ensemble the scale exporter can build: at least one member, every
 * member of the same shape (two sequence channels), every array of the length its shape implies and free
 * of NaN and infinities, and a standardiser of one finite mean and one positive sd per linear input.
 *
 * @throws InvalidWeightsError listing every problem found.
 */
export function validateScaleEnsemble(
  members: readonly ScaleMemberWeights[],
  standardiser: Standardiser,
): void {
  const [first] = members;
  if (first === undefined) throw new InvalidWeightsError(['members must hold at least one member']);
  const problems = shapeProblems(first.shape).map((p) => `members[0].${p}`);
  if (problems.length === 0) {
    members.forEach((member, k) => memberProblems(problems, member, k, first.shape));
    standardiserProblems(problems, standardiser, first.shape.linearInputs);
  }
  if (problems.length > 0) throw new InvalidWeightsError(problems);
}
