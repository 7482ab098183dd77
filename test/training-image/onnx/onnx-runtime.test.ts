/**
 * The exported model, run by onnxruntime-node, against the float64 JS reference, for
 * several network shapes; and the official ONNX checker on the same models.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceSession } from 'onnxruntime-node';
import type { ForecastNetworkWeights } from '../../../training-image/src/model/weights.js';
import { ONNX_IO } from '../../../training-image/src/onnx/constants.js';
import { exportToOnnx } from '../../../training-image/src/onnx/export.js';
import type { Gate } from '../../../training-image/src/onnx/lstm-layout.js';
import { GATE } from '../../../training-image/src/onnx/lstm-layout.js';
import { compareOutputs, runOnnx } from '../../../training-image/src/onnx/parity.js';
import { referenceForward } from '../../support/reference-forward.js';
import type { ParityReport } from '../../../training-image/src/onnx/types.js';
import { checkOnnxModel } from '../../support/onnx-checker.js';
import type { NetworkShape } from './fixtures.js';
import { randomWeights, randomWindows, withGatesSwapped } from './fixtures.js';

/** The pipeline's parity tolerance between TF.js and ONNX. */
const TOLERANCE = { atol: 1e-5, rtol: 1e-3 };

const SHAPES: readonly (NetworkShape & { readonly label: string; readonly seed: number })[] = [
  { label: '1 layer x 8 units, seq 12', sequenceLength: 12, featureCount: 9, hiddenSizes: [8], seed: 11 },
  {
    label: '2 layers x 16 units, seq 24',
    sequenceLength: 24,
    featureCount: 9,
    hiddenSizes: [16, 16],
    seed: 22,
  },
  {
    label: '3 layers x 5 units, seq 7',
    sequenceLength: 7,
    featureCount: 4,
    hiddenSizes: [5, 5, 5],
    seed: 33,
  },
  {
    label: '4 layers of 12, 6, 9, 3 units, seq 10',
    sequenceLength: 10,
    featureCount: 9,
    hiddenSizes: [12, 6, 9, 3],
    seed: 44,
  },
  {
    label: 'production 2 layers x 128 units, seq 120',
    sequenceLength: 120,
    featureCount: 9,
    hiddenSizes: [128, 128],
    seed: 55,
  },
];

function explain(report: ParityReport): string {
  return (
    `${report.failures}/${report.count} outside atol ${TOLERANCE.atol} + rtol ${TOLERANCE.rtol}: ` +
    `max abs error ${report.maxAbsError}, max rel error ${report.maxRelError}, worst index ${report.worstIndex}`
  );
}

async function parity(
  reference: ForecastNetworkWeights,
  exported: ForecastNetworkWeights,
  batch: number,
  seed: number,
  opset?: number,
): Promise<ParityReport> {
  const windows = randomWindows(reference, batch, seed);
  const model = exportToOnnx(exported, opset === undefined ? {} : { opset });
  const actual = await runOnnx(model, windows, batch, reference.sequenceLength, reference.featureCount);
  return compareOutputs(referenceForward(reference, windows), actual, TOLERANCE);
}

for (const shape of SHAPES) {
  describe(`exported ${shape.label}`, () => {
    const weights = randomWeights(shape, shape.seed);
    const { sequenceLength: L, featureCount: F } = shape;

    it('loads in onnxruntime-node with input "sequence" [batch, L, F] and output "output" [batch, 1]', async () => {
      // Act
      const session = await InferenceSession.create(exportToOnnx(weights));

      // Assess
      try {
        assert.deepEqual(session.inputNames, [ONNX_IO.input]);
        assert.deepEqual(session.outputNames, [ONNX_IO.output]);
        const [input] = session.inputMetadata;
        const [output] = session.outputMetadata;
        assert.ok(input?.isTensor && output?.isTensor);
        assert.equal(input.type, 'float32');
        assert.deepEqual(input.shape, [ONNX_IO.batchDimension, L, F]);
        assert.equal(output.type, 'float32');
        assert.deepEqual(output.shape, [ONNX_IO.batchDimension, 1]);
      } finally {
        await session.release();
      }
    });

    it('matches the float64 reference for one window', async () => {
      const report = await parity(weights, weights, 1, shape.seed + 1);

      assert.ok(report.ok, explain(report));
    });

    it('matches the float64 reference for a batch of 7 windows (dynamic batch)', async () => {
      const report = await parity(weights, weights, 7, shape.seed + 2);

      assert.equal(report.count, 7);
      assert.ok(report.ok, explain(report));
    });

    it('passes the official ONNX checker (full_check)', async (t) => {
      const result = await checkOnnxModel(exportToOnnx(weights));

      if (result.status === 'skipped') {
        t.skip(`ONNX checker not run: ${result.reason}`);
        return;
      }
      assert.equal(result.irVersion, 8);
      assert.deepEqual(result.opsets, { 'ai.onnx': 17 });
    });
  });
}

describe('a wrong gate order in the export', () => {
  const weights = randomWeights({ sequenceLength: 12, featureCount: 9, hiddenSizes: [8] }, 66);
  const pairs: readonly [Gate, Gate][] = [
    [GATE.forget, GATE.output],
    [GATE.input, GATE.forget],
    [GATE.input, GATE.output],
    [GATE.input, GATE.cell],
    [GATE.forget, GATE.cell],
    [GATE.cell, GATE.output],
  ];

  for (const [first, second] of pairs) {
    it(`is caught by the parity check when the ${first} and ${second} gates are exchanged`, async () => {
      // Prepare: an export of weights with two gates exchanged is what a confused exporter writes.
      const confused = withGatesSwapped(weights, first, second);

      // Act
      const report = await parity(weights, confused, 7, 67);

      // Assess: not a near miss either.
      assert.equal(report.ok, false);
      assert.ok(report.maxAbsError > 1e-2, `max abs error only ${report.maxAbsError}`);
    });
  }
});

describe('other opsets', () => {
  const weights = randomWeights({ sequenceLength: 7, featureCount: 4, hiddenSizes: [5, 5, 5] }, 77);

  for (const opset of [13, 21]) {
    it(`opset ${opset} runs in onnxruntime-node and matches the reference`, async () => {
      const report = await parity(weights, weights, 3, 78, opset);

      assert.ok(report.ok, explain(report));
    });
  }

  it('opset 13 (IR 7) passes the official ONNX checker', async (t) => {
    const result = await checkOnnxModel(exportToOnnx(weights, { opset: 13 }));

    if (result.status === 'skipped') {
      t.skip(`ONNX checker not run: ${result.reason}`);
      return;
    }
    assert.equal(result.irVersion, 7);
    assert.deepEqual(result.opsets, { 'ai.onnx': 13 });
  });
});
