/**
 * Exports the forecasting network (stacked LSTM + Dense(1)) to an ONNX model.
 *
 *   sequence [batch, L, F]
 *     -> Transpose            [L, batch, F]           (ONNX LSTM is time-major)
 *     -> LSTM k (k = 0..n-1)  Y [L, 1, batch, H_k] -> Squeeze axis 1 -> [L, batch, H_k]
 *        last layer:          Y_h [1, batch, H]    -> Squeeze axis 0 -> [batch, H]
 *     -> MatMul dense kernel [H, 1] -> Add dense bias [1]
 *     residual target only: -> Add sequence[:, L-1, f] (Slice + Squeeze of the input)
 *   output [batch, 1]
 */
import type { ForecastNetworkWeights } from '../model/weights.js';
import { floatInitializer, floatTensorValueInfo, int64Initializer, node } from './builder.js';
import { ONNX_IO } from './constants.js';
import { OnnxExportError } from './errors.js';
import { toOnnxLstmTensors } from './lstm-layout.js';
import { lstmInitializers, lstmNode, timeMajorTranspose } from './lstm-node.js';
import { encodeModel, opsetVersion } from './model.js';
import type { GraphProto, NodeProto, TensorProto, ValueInfoProto } from './proto.js';
import type { ExportOptions } from './types.js';
import { validateWeights } from './validate.js';

const BATCH = ONNX_IO.batchDimension;
const GRAPH_NAME = 'forecast_lstm';

/** Int64 constants used as Squeeze's axes input (an input, not an attribute, from opset 13). */
const AXES = { numDirections: 'axes_num_directions', first: 'axes_first' } as const;

/** Everything the graph is made of, gathered while walking the layers. */
interface GraphParts {
  readonly nodes: NodeProto[];
  readonly initializers: TensorProto[];
  readonly valueInfo: ValueInfoProto[];
}

function describe(weights: ForecastNetworkWeights): string {
  const sizes = weights.lstm.map((layer) => layer.hiddenSize).join(', ');
  return (
    `Stacked LSTM (${weights.lstm.length} layer(s), hidden sizes ${sizes}) + Dense(1) forecaster. ` +
    `Input '${ONNX_IO.input}': float32 [${BATCH}, ${weights.sequenceLength}, ${weights.featureCount}], ` +
    `scaled feature windows, oldest step first. ` +
    `Output '${ONNX_IO.output}': float32 [${BATCH}, 1], the scaled close of the next candle` +
    (weights.residualFeature === undefined
      ? '.'
      : `: the network's change added to input feature ${weights.residualFeature} at the last step.`)
  );
}

function addTimeMajorInput(parts: GraphParts, weights: ForecastNetworkWeights): string {
  const name = 'sequence_time_major';
  parts.nodes.push(timeMajorTranspose(ONNX_IO.input, name, '[batch, seq, feat] -> [seq, batch, feat]'));
  parts.valueInfo.push(floatTensorValueInfo(name, [weights.sequenceLength, BATCH, weights.featureCount]));
  return name;
}

/**
 * Adds layer k's LSTM node and its weights. Returns the name of what the next step reads:
 * the full hidden sequence [L, batch, H] for a middle layer, the final hidden state
 * [batch, H] for the last one.
 */
function addLstmLayer(parts: GraphParts, weights: ForecastNetworkWeights, k: number, input: string): string {
  const layer = weights.lstm[k];
  if (!layer) throw new OnnxExportError(`No LSTM layer ${k}`);
  const { inputSize, hiddenSize } = layer;
  const isLast = k === weights.lstm.length - 1;
  const L = weights.sequenceLength;
  const prefix = `lstm_${k}`;

  parts.initializers.push(...lstmInitializers(prefix, toOnnxLstmTensors(layer), inputSize, hiddenSize));

  const y = `${prefix}_Y`;
  const yH = `${prefix}_Y_h`;
  // Optional outputs: a middle layer needs only Y, the last layer only Y_h.
  const outputs = isLast ? ['', yH] : [y];
  parts.nodes.push(
    lstmNode(
      prefix,
      input,
      outputs,
      hiddenSize,
      `Keras LSTM layer ${k}: ${inputSize} -> ${hiddenSize} units`,
    ),
  );

  // The next step reads the LSTM's output without its num_directions axis: a middle layer's whole hidden
  // sequence Y [seq, 1, batch, H], the last layer's final state Y_h [1, batch, H] (Y_h has no seq axis).
  const from = isLast ? yH : y;
  const to = isLast ? 'last_hidden' : `${prefix}_sequence`;
  const steps = isLast ? [] : [L];
  parts.nodes.push(
    node({
      opType: 'Squeeze',
      name: isLast ? `${prefix}_final_state` : `${prefix}_drop_direction`,
      inputs: [from, isLast ? AXES.first : AXES.numDirections],
      outputs: [to],
      docString: isLast ? '[1, batch, H] -> [batch, H]' : '[seq, 1, batch, H] -> [seq, batch, H]',
    }),
  );
  parts.valueInfo.push(
    floatTensorValueInfo(from, [...steps, 1, BATCH, hiddenSize]),
    floatTensorValueInfo(to, [...steps, BATCH, hiddenSize]),
  );
  return to;
}

function addDenseHead(parts: GraphParts, weights: ForecastNetworkWeights, lastHidden: string): void {
  const hiddenSize = weights.lstm.at(-1)?.hiddenSize ?? 0;
  const product = 'dense_matmul';
  const residual = weights.residualFeature;
  const dense = residual === undefined ? ONNX_IO.output : 'dense_output';
  // A residual network's output scale is folded into the dense weights: (h W + b) s = h (W s) + b s.
  const scale = weights.outputScale ?? 1;
  const fold = (values: Float32Array): Float32Array => (scale === 1 ? values : values.map((v) => v * scale));
  parts.initializers.push(
    floatInitializer('dense_kernel', [hiddenSize, 1], fold(weights.denseKernel)),
    floatInitializer('dense_bias', [1], fold(weights.denseBias)),
  );
  parts.nodes.push(
    node({ opType: 'MatMul', name: 'dense', inputs: [lastHidden, 'dense_kernel'], outputs: [product] }),
    node({
      opType: 'Add',
      name: 'dense_add_bias',
      inputs: [product, 'dense_bias'],
      outputs: [dense],
    }),
  );
  parts.valueInfo.push(floatTensorValueInfo(product, [BATCH, 1]));
  if (residual !== undefined) addResidual(parts, weights, residual, dense);
}

/** output = dense + sequence[:, L-1, f]: the network predicts the change from the last value of feature f. */
function addResidual(
  parts: GraphParts,
  weights: ForecastNetworkWeights,
  feature: number,
  dense: string,
): void {
  const L = weights.sequenceLength;
  const sliced = 'residual_slice';
  const base = 'residual_base';
  parts.initializers.push(
    int64Initializer('residual_starts', [2], [L - 1, feature], 'last step, residual feature'),
    int64Initializer('residual_ends', [2], [L, feature + 1]),
    int64Initializer('residual_axes', [2], [1, 2], 'sequence and feature axes'),
    int64Initializer('residual_squeeze', [1], [2]),
  );
  parts.nodes.push(
    node({
      opType: 'Slice',
      name: 'residual_last_step',
      inputs: [ONNX_IO.input, 'residual_starts', 'residual_ends', 'residual_axes'],
      outputs: [sliced],
      docString: '[batch, seq, feat] -> [batch, 1, 1]',
    }),
    node({
      opType: 'Squeeze',
      name: 'residual_to_column',
      inputs: [sliced, 'residual_squeeze'],
      outputs: [base],
      docString: '[batch, 1, 1] -> [batch, 1]',
    }),
    node({ opType: 'Add', name: 'residual_add', inputs: [dense, base], outputs: [ONNX_IO.output] }),
  );
  parts.valueInfo.push(
    floatTensorValueInfo(dense, [BATCH, 1]),
    floatTensorValueInfo(sliced, [BATCH, 1, 1]),
    floatTensorValueInfo(base, [BATCH, 1]),
  );
}

function buildGraph(weights: ForecastNetworkWeights, docString: string): GraphProto {
  const parts: GraphParts = {
    nodes: [],
    initializers: [
      int64Initializer(AXES.first, [1], [0], 'Squeeze axes: the num_directions axis of LSTM Y_h'),
    ],
    valueInfo: [],
  };
  if (weights.lstm.length > 1) {
    // Only a middle layer's Y is squeezed; an unused initializer makes onnxruntime warn.
    parts.initializers.push(
      int64Initializer(AXES.numDirections, [1], [1], 'Squeeze axes: the num_directions axis of LSTM Y'),
    );
  }

  let current = addTimeMajorInput(parts, weights);
  for (let k = 0; k < weights.lstm.length; k += 1) current = addLstmLayer(parts, weights, k, current);
  addDenseHead(parts, weights, current);

  return {
    name: GRAPH_NAME,
    docString,
    node: parts.nodes,
    initializer: parts.initializers,
    input: [
      floatTensorValueInfo(
        ONNX_IO.input,
        [BATCH, weights.sequenceLength, weights.featureCount],
        'scaled windows',
      ),
    ],
    output: [floatTensorValueInfo(ONNX_IO.output, [BATCH, 1], 'scaled next close')],
    valueInfo: parts.valueInfo,
  };
}

/**
 * Serializes the network as an ONNX model (ModelProto bytes) that onnxruntime can load.
 * The result depends only on the weights and options: the same input gives the same bytes,
 * in a Uint8Array that owns its ArrayBuffer (safe to write to a file or S3 as is).
 *
 * @throws UnsupportedOpsetError when `options.opset` is outside SUPPORTED_OPSETS.
 * @throws InvalidWeightsError when the weights are inconsistent (see validateWeights).
 */
export function exportToOnnx(weights: ForecastNetworkWeights, options: ExportOptions = {}): Uint8Array {
  const version = opsetVersion(options);
  validateWeights(weights);
  const docString = options.docString ?? describe(weights);
  return encodeModel(version, options, docString, buildGraph(weights, docString));
}
