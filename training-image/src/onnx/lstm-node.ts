/**
 * The ONNX LSTM operator as both exports use it (forward, Keras's activations, the Keras bias as Wb then a
 * zero Rb), with its weights as initializers named `${prefix}_W`, `_R` and `_B`; and the Transpose to the
 * time-major layout it reads.
 */
import {
  floatInitializer,
  intAttribute,
  intsAttribute,
  node,
  stringAttribute,
  stringsAttribute,
} from './builder.js';
import type { OnnxLstmTensors } from './lstm-layout.js';
import type { NodeProto, TensorProto } from './proto.js';

/** [batch, steps, features] -> [steps, batch, features]: ONNX LSTM is time-major. */
export function timeMajorTranspose(input: string, output: string, docString: string): NodeProto {
  return node({
    opType: 'Transpose',
    name: 'to_time_major',
    inputs: [input],
    outputs: [output],
    attributes: [intsAttribute('perm', [1, 0, 2])],
    docString,
  });
}

/** W [1, 4H, in], R [1, 4H, H] and B [1, 8H]; `recurrentNote` adds to R's doc string. */
export function lstmInitializers(
  prefix: string,
  tensors: OnnxLstmTensors,
  inputSize: number,
  hiddenSize: number,
  recurrentNote?: string,
): TensorProto[] {
  const recurrent = 'recurrent weights, gates i, o, f, c';
  return [
    floatInitializer(
      `${prefix}_W`,
      [1, 4 * hiddenSize, inputSize],
      tensors.w,
      'input weights, gates i, o, f, c',
    ),
    floatInitializer(
      `${prefix}_R`,
      [1, 4 * hiddenSize, hiddenSize],
      tensors.r,
      recurrentNote === undefined ? recurrent : `${recurrent}; ${recurrentNote}`,
    ),
    floatInitializer(`${prefix}_B`, [1, 8 * hiddenSize], tensors.b, 'Keras bias as Wb, then zero Rb'),
  ];
}

/** The LSTM node named `prefix` reading `input` and lstmInitializers' weights; '' skips an optional output. */
export function lstmNode(
  prefix: string,
  input: string,
  outputs: readonly string[],
  hiddenSize: number,
  docString: string,
): NodeProto {
  return node({
    opType: 'LSTM',
    name: prefix,
    inputs: [input, `${prefix}_W`, `${prefix}_R`, `${prefix}_B`],
    outputs,
    attributes: [
      intAttribute('hidden_size', hiddenSize),
      stringAttribute('direction', 'forward'),
      stringsAttribute('activations', ['Sigmoid', 'Tanh', 'Tanh']),
    ],
    docString,
  });
}
