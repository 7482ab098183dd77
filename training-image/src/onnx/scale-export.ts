/**
 * Exports the shared scale network's ensemble (M members, each an LSTM + Dense(1) head + a linear term on
 * the standardised linear-correction inputs) to one ONNX model whose output is the members' mean.
 *
 *   sequence [batch, hours, 2]
 *     -> Transpose                  [hours, batch, 2]   (ONNX LSTM is time-major)
 *     -> LSTM, M x H units          Y_h [1, batch, MH]  (block-diagonal: member m owns units mH..mH+H-1)
 *     -> Squeeze axis 0             [batch, MH]
 *     -> MatMul heads / M           [batch, 1]
 *   scale_inputs [batch, d] (raw)
 *     -> MatMul w_eff               [batch, 1]          (w_eff_j = mean_m(w_mj) / sd_j)
 *   Add, Add folded bias            log_scale [batch, 1]
 *
 * Every member runs in the same LSTM op so serving pays one recurrent loop, not M; the zero blocks of R
 * keep the members apart exactly (a hidden state is bounded, so 0 x h adds nothing). Averaging and the
 * standardisation are linear, so both fold into the head and linear weights: the graph uses only the
 * operators serving allows (ALLOWED_OPERATORS).
 */
import { SCALE_SEQUENCE_CHANNELS } from '../../../core/distribution/scale-sequence.js';
import type { Standardiser } from '../scale/fit.js';
import type { ScaleMemberWeights, ScaleNetworkShape } from '../scale/network.js';
import { floatInitializer, floatTensorValueInfo, int64Initializer, node } from './builder.js';
import { SCALE_ONNX_IO } from './constants.js';
import { InvalidWeightsError } from './errors.js';
import { toOnnxLstmTensors } from './lstm-layout.js';
import { lstmInitializers, lstmNode, timeMajorTranspose } from './lstm-node.js';
import { encodeModel, opsetVersion } from './model.js';
import type { GraphProto } from './proto.js';
import { validateScaleEnsemble } from './scale-validate.js';
import type { ExportOptions } from './types.js';

const BATCH = SCALE_ONNX_IO.batchDimension;
const GRAPH_NAME = 'scale_network';
const GATES = 4;

function describe(shape: ScaleNetworkShape, members: number): string {
  const { hours, channels, hiddenSize, linearInputs } = shape;
  return (
    `Scale network ensemble: the mean of ${members} member(s), each an LSTM (hidden size ${hiddenSize}) + Dense(1) ` +
    `head on its last hidden state plus a linear term on the standardised linear-correction inputs; run as one ` +
    `block-diagonal LSTM of ${members * hiddenSize} units. ` +
    `Input '${SCALE_ONNX_IO.sequence}': float32 [${BATCH}, ${hours}, ${channels}], ` +
    `(${SCALE_SEQUENCE_CHANNELS.join(', ')}) per hour, oldest hour first. ` +
    `Input '${SCALE_ONNX_IO.inputs}': float32 [${BATCH}, ${linearInputs}], the linear correction's inputs, raw ` +
    `(their standardisation is folded into the graph). ` +
    `Output '${SCALE_ONNX_IO.output}': float32 [${BATCH}, 1], the log of the next log return's scale as a ` +
    `multiple of B1: sigma = sigma_B1 x exp(log_scale).`
  );
}

/** Every member's ONNX LSTM tensors laid side by side: one LSTM of M x H units that never mix. */
function blockDiagonalLstm(members: readonly ScaleMemberWeights[], shape: ScaleNetworkShape) {
  const { channels, hiddenSize: h } = shape;
  const units = members.length * h;
  const w = new Float32Array(GATES * units * channels);
  const r = new Float32Array(GATES * units * units);
  const b = new Float32Array(2 * GATES * units); // Rb, the second half, stays zero as in toOnnxLstmTensors
  members.forEach((member, m) => {
    const tensors = toOnnxLstmTensors(member.lstm);
    for (let gate = 0; gate < GATES; gate += 1) {
      for (let unit = 0; unit < h; unit += 1) {
        const from = gate * h + unit;
        const to = gate * units + m * h + unit;
        w.set(tensors.w.subarray(from * channels, (from + 1) * channels), to * channels);
        r.set(tensors.r.subarray(from * h, (from + 1) * h), to * units + m * h);
        b[to] = tensors.b[from]!;
      }
    }
  });
  return { units, w, r, b };
}

/**
 * The averaging and the standardisation folded into weights, in float64 and rounded to float32 once:
 * mean_m(head_m . h_m + w_m . (x - mean) / sd + b_m)
 *   = sum_m (head_m / M) . h_m + sum_j x_j mean_m(w_mj) / sd_j + mean_m(b_m - sum_j w_mj mean_j / sd_j).
 */
function foldLinear(members: readonly ScaleMemberWeights[], standardiser: Standardiser) {
  const { hiddenSize: h, linearInputs: d } = members[0]!.shape;
  const count = members.length;
  const head = new Float64Array(count * h);
  const linear = new Float64Array(d);
  let bias = 0;
  members.forEach((member, m) => {
    for (let u = 0; u < h; u += 1) head[m * h + u] = member.headKernel[u]! / count;
    let memberBias = member.headBias[0]! + member.linearBias[0]!;
    for (let j = 0; j < d; j += 1) {
      const w = member.linearKernel[j]! / standardiser.sd[j]!;
      linear[j]! += w / count;
      memberBias -= w * standardiser.mean[j]!;
    }
    bias += memberBias / count;
  });
  const folded = {
    head: Float32Array.from(head),
    linear: Float32Array.from(linear),
    bias: Math.fround(bias),
  };
  const problems: string[] = [];
  folded.linear.forEach((v, j) => {
    if (!Number.isFinite(v)) {
      problems.push(`the folded weight of input ${j} (mean_m(w) / sd = ${linear[j]}) overflows float32`);
    }
  });
  if (!Number.isFinite(folded.bias)) problems.push(`the folded bias (${bias}) overflows float32`);
  if (problems.length > 0) throw new InvalidWeightsError(problems);
  return folded;
}

function buildGraph(
  members: readonly ScaleMemberWeights[],
  standardiser: Standardiser,
  docString: string,
): GraphProto {
  const shape = members[0]!.shape;
  const { hours, channels, linearInputs: d } = shape;
  const lstm = blockDiagonalLstm(members, shape);
  const folded = foldLinear(members, standardiser);
  const io = SCALE_ONNX_IO;
  const v = {
    timeMajor: 'sequence_time_major',
    yH: 'lstm_Y_h',
    lastHidden: 'last_hidden',
    head: 'head_matmul',
    linear: 'linear_matmul',
    sum: 'head_plus_linear',
  } as const;

  return {
    name: GRAPH_NAME,
    docString,
    node: [
      timeMajorTranspose(io.sequence, v.timeMajor, '[batch, hours, channels] -> [hours, batch, channels]'),
      // Only the last hidden state is read.
      lstmNode(
        'lstm',
        v.timeMajor,
        ['', v.yH],
        lstm.units,
        `${members.length} member(s) of ${shape.hiddenSize} units, block-diagonal`,
      ),
      node({
        opType: 'Squeeze',
        name: 'final_state',
        inputs: [v.yH, 'axes_first'],
        outputs: [v.lastHidden],
        docString: '[1, batch, MH] -> [batch, MH]',
      }),
      node({ opType: 'MatMul', name: 'heads', inputs: [v.lastHidden, 'head_kernel'], outputs: [v.head] }),
      node({
        opType: 'MatMul',
        name: 'linear',
        inputs: [io.inputs, 'linear_kernel'],
        outputs: [v.linear],
        docString: 'the linear term on the raw inputs, standardisation folded in',
      }),
      node({ opType: 'Add', name: 'add_linear', inputs: [v.head, v.linear], outputs: [v.sum] }),
      node({ opType: 'Add', name: 'add_bias', inputs: [v.sum, 'bias'], outputs: [io.output] }),
    ],
    initializer: [
      int64Initializer('axes_first', [1], [0], 'Squeeze axes: the num_directions axis of LSTM Y_h'),
      ...lstmInitializers('lstm', lstm, channels, lstm.units, 'zero between members'),
      floatInitializer('head_kernel', [lstm.units, 1], folded.head, "every member's head over M"),
      floatInitializer('linear_kernel', [d, 1], folded.linear, 'mean_m(w_mj) / sd_j'),
      floatInitializer('bias', [1], [folded.bias], 'mean_m(head and linear biases - w_m . mean / sd)'),
    ],
    input: [
      floatTensorValueInfo(io.sequence, [BATCH, hours, channels], 'scale sequence, oldest hour first'),
      floatTensorValueInfo(io.inputs, [BATCH, d], 'linear correction inputs, raw'),
    ],
    output: [floatTensorValueInfo(io.output, [BATCH, 1], 'log of the scale over B1')],
    valueInfo: [
      floatTensorValueInfo(v.timeMajor, [hours, BATCH, channels]),
      floatTensorValueInfo(v.yH, [1, BATCH, lstm.units]),
      floatTensorValueInfo(v.lastHidden, [BATCH, lstm.units]),
      floatTensorValueInfo(v.head, [BATCH, 1]),
      floatTensorValueInfo(v.linear, [BATCH, 1]),
      floatTensorValueInfo(v.sum, [BATCH, 1]),
    ],
  };
}

/**
 * Serializes the scale network ensemble as an ONNX model (ModelProto bytes) that onnxruntime can load:
 * inputs SCALE_ONNX_IO.sequence and .inputs, output .output, the members' mean log_scale (see the module
 * comment). The same members, standardiser and options give the same bytes, in a Uint8Array that owns
 * its ArrayBuffer.
 *
 * @throws UnsupportedOpsetError when `options.opset` is outside SUPPORTED_OPSETS.
 * @throws InvalidWeightsError when the members or the standardiser are inconsistent (validateScaleEnsemble),
 *   or folding the standardisation overflows float32.
 */
export function exportScaleNetworkToOnnx(
  members: readonly ScaleMemberWeights[],
  standardiser: Standardiser,
  options: ExportOptions = {},
): Uint8Array {
  const version = opsetVersion(options);
  validateScaleEnsemble(members, standardiser);
  const docString = options.docString ?? describe(members[0]!.shape, members.length);
  return encodeModel(version, options, docString, buildGraph(members, standardiser, docString));
}
