import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ForecastNetworkWeights } from '../../../training-image/src/model/weights.js';
import { ONNX_IO, PRODUCER_NAME } from '../../../training-image/src/onnx/constants.js';
import { InvalidWeightsError, UnsupportedOpsetError } from '../../../training-image/src/onnx/errors.js';
import { exportToOnnx } from '../../../training-image/src/onnx/export.js';
import { toOnnxLstmTensors } from '../../../training-image/src/onnx/lstm-layout.js';
import { onnx } from '../../../training-image/src/onnx/proto.js';
import type { AttributeProto, NodeProto, TensorProto } from '../../../training-image/src/onnx/proto.js';
import { decodeModel, randomWeights, tensorDims, toNumber } from './fixtures.js';

const weights = randomWeights({ sequenceLength: 24, featureCount: 9, hiddenSizes: [16, 8] }, 7);

function attribute(n: NodeProto | undefined, name: string): AttributeProto | undefined {
  return n?.attribute?.find((a) => a.name === name);
}

function initializer(bytes: Uint8Array, name: string): TensorProto {
  const found = decodeModel(bytes).graph?.initializer?.find((t) => t.name === name);
  assert.ok(found, `no initializer ${name}`);
  return found;
}

/** Reads raw_data as little-endian float32, independently of the host's byte order. */
function rawFloats(tensor: TensorProto): number[] {
  const raw = tensor.rawData ?? new Uint8Array();
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 4 }, (_, k) => view.getFloat32(k * 4, true));
}

describe('exportToOnnx', () => {
  it('writes opset 17 with IR version 8, a producer and a description by default', () => {
    // Act
    const model = decodeModel(exportToOnnx(weights, { producerVersion: '1.2.3' }));

    // Assess
    assert.equal(toNumber(model.irVersion), 8);
    assert.deepEqual(
      model.opsetImport.map((o) => [o.domain, toNumber(o.version)]),
      [['', 17]],
    );
    assert.equal(model.producerName, PRODUCER_NAME);
    assert.equal(model.producerVersion, '1.2.3');
    assert.match(model.docString, /2 layer\(s\), hidden sizes 16, 8/);
    assert.ok(model.graph?.docString);
  });

  it('pairs each supported opset with the IR version released with it', () => {
    const ir = (opset: number): number => toNumber(decodeModel(exportToOnnx(weights, { opset })).irVersion);

    assert.deepEqual([13, 14, 15, 17, 18, 19, 21].map(ir), [7, 7, 8, 8, 8, 9, 10]);
  });

  it('refuses opsets it does not support', () => {
    for (const opset of [12, 22, 17.5]) {
      assert.throws(() => exportToOnnx(weights, { opset }), UnsupportedOpsetError);
    }
  });

  it('declares input "sequence" float32 [batch, L, F] and output "output" float32 [batch, 1]', () => {
    const graph = decodeModel(exportToOnnx(weights)).graph;

    assert.deepEqual(
      graph?.input?.map((i) => i.name),
      [ONNX_IO.input],
    );
    assert.deepEqual(tensorDims(graph?.input?.[0]), ['batch', 24, 9]);
    assert.equal(graph?.input?.[0]?.type?.tensorType?.elemType, onnx.TensorProto.DataType.FLOAT);
    assert.deepEqual(
      graph?.output?.map((o) => o.name),
      [ONNX_IO.output],
    );
    assert.deepEqual(tensorDims(graph?.output?.[0]), ['batch', 1]);
    assert.equal(graph?.output?.[0]?.type?.tensorType?.elemType, onnx.TensorProto.DataType.FLOAT);
  });

  it('builds Transpose, one LSTM per layer with Squeezes between, then MatMul and Add', () => {
    const nodes = decodeModel(exportToOnnx(weights)).graph?.node ?? [];

    assert.deepEqual(
      nodes.map((n) => n.opType),
      ['Transpose', 'LSTM', 'Squeeze', 'LSTM', 'Squeeze', 'MatMul', 'Add'],
    );
    const lstms = nodes.filter((n) => n.opType === 'LSTM');
    assert.deepEqual(
      lstms.map((n) => toNumber(attribute(n, 'hidden_size')?.i)),
      [16, 8],
    );
    assert.deepEqual(
      toNumber(attribute(nodes[0], 'perm')?.ints?.[0]),
      1,
      'Transpose perm starts with the sequence axis',
    );
    // The middle layer hands on its full sequence Y; the last one only its final state Y_h.
    assert.deepEqual(lstms[0]?.output, ['lstm_0_Y']);
    assert.deepEqual(lstms[1]?.output, ['', 'lstm_1_Y_h']);
    assert.deepEqual(lstms[1]?.input, ['lstm_0_sequence', 'lstm_1_W', 'lstm_1_R', 'lstm_1_B']);
  });

  it('builds 1 to 4 layers', () => {
    for (const hiddenSizes of [[3], [4, 5], [6, 7, 8], [9, 10, 11, 12]]) {
      const nodes = decodeModel(
        exportToOnnx(randomWeights({ sequenceLength: 5, featureCount: 2, hiddenSizes }, 1)),
      ).graph?.node;

      assert.equal(nodes?.filter((n) => n.opType === 'LSTM').length, hiddenSizes.length);
      assert.equal(nodes?.filter((n) => n.opType === 'Squeeze').length, hiddenSizes.length);
    }
  });

  it('stores weights as little-endian float32 raw_data in ONNX layout', () => {
    const bytes = exportToOnnx(weights);
    const layer = weights.lstm[1]!;
    const expected = toOnnxLstmTensors(layer);

    const w = initializer(bytes, 'lstm_1_W');
    assert.equal(w.dataType, onnx.TensorProto.DataType.FLOAT);
    assert.deepEqual(w.dims?.map(toNumber), [1, 32, 16]);
    assert.equal(w.floatData?.length ?? 0, 0);
    assert.deepEqual(rawFloats(w), [...expected.w]);
    assert.deepEqual(initializer(bytes, 'lstm_1_R').dims?.map(toNumber), [1, 32, 8]);
    assert.deepEqual(rawFloats(initializer(bytes, 'lstm_1_B')), [...expected.b]);
    assert.deepEqual(initializer(bytes, 'dense_kernel').dims?.map(toNumber), [8, 1]);
    assert.deepEqual(rawFloats(initializer(bytes, 'dense_kernel')), [...weights.denseKernel]);
    assert.deepEqual(rawFloats(initializer(bytes, 'dense_bias')), [...weights.denseBias]);
  });

  it('stores Squeeze axes as little-endian int64 raw_data', () => {
    const axes = initializer(exportToOnnx(weights), 'axes_num_directions');

    assert.equal(axes.dataType, onnx.TensorProto.DataType.INT64);
    assert.deepEqual([...(axes.rawData ?? [])], [1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('gives the same bytes for the same weights, in a buffer of their own', () => {
    const first = exportToOnnx(weights);
    const second = exportToOnnx(weights);

    assert.deepEqual(first, second);
    assert.equal(first.byteOffset, 0);
    assert.equal(first.buffer.byteLength, first.byteLength);
  });

  describe('refuses inconsistent weights, naming every problem', () => {
    const layer0 = weights.lstm[0]!;
    const cases: readonly [string, ForecastNetworkWeights, RegExp][] = [
      ['no layers', { ...weights, lstm: [] }, /at least one layer/],
      [
        'a first layer that does not read featureCount',
        { ...weights, featureCount: 8 },
        /lstm\[0\]\.inputSize is 9/,
      ],
      [
        'a layer that does not read the previous hidden size',
        { ...weights, lstm: [layer0, { ...weights.lstm[1]!, inputSize: 15 }] },
        /lstm\[1\]\.inputSize is 15, expected 16/,
      ],
      [
        'a kernel of the wrong length',
        { ...weights, lstm: [{ ...layer0, kernel: layer0.kernel.subarray(1) }, weights.lstm[1]!] },
        /lstm\[0\]\.kernel has 575 values, expected 576/,
      ],
      [
        'a NaN weight',
        { ...weights, denseKernel: Float32Array.of(...weights.denseKernel.subarray(0, 7), Number.NaN) },
        /denseKernel\[7\] is NaN/,
      ],
      ['a dense bias of the wrong length', { ...weights, denseBias: new Float32Array(2) }, /denseBias has 2/],
      [
        'a zero sequence length',
        { ...weights, sequenceLength: 0 },
        /sequenceLength must be a positive integer/,
      ],
    ];

    for (const [label, bad, message] of cases) {
      it(label, () => {
        assert.throws(
          () => exportToOnnx(bad),
          (error: unknown) => error instanceof InvalidWeightsError && message.test(error.message),
        );
      });
    }
  });
});
