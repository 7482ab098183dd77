import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ALLOWED_OPERATORS,
  operatorProblems,
  readOnnxGraph,
} from '../../../adapters/inference/onnx-graph.js';
import { DEFAULT_SCALE_INPUTS, correctedSigma } from '../../../core/distribution/index.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { SCALE_ONNX_IO } from '../../../training-image/src/onnx/constants.js';
import {
  InvalidWeightsError,
  ParityShapeError,
  UnsupportedOpsetError,
} from '../../../training-image/src/onnx/errors.js';
import { toOnnxLstmTensors } from '../../../training-image/src/onnx/lstm-layout.js';
import { onnx, type TensorProto } from '../../../training-image/src/onnx/proto.js';
import { exportScaleNetworkToOnnx } from '../../../training-image/src/onnx/scale-export.js';
import { checkScaleParity, runScaleOnnx } from '../../../training-image/src/onnx/scale-parity.js';
import { ParityError } from '../../../training-image/src/pipeline/errors.js';
import { checkScaleNetworkParity } from '../../../training-image/src/pipeline/scale-parity-check.js';
import type { Standardiser } from '../../../training-image/src/scale/fit.js';
import {
  ScaleNetwork,
  type ScaleMemberWeights,
  type ScaleNetworkShape,
} from '../../../training-image/src/scale/network.js';
import { scaleWindows, type ScaleWindows } from '../../../training-image/src/scale/windows.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { hourlyCandles } from '../../support/candles-csv.js';
import { checkOnnxModel } from '../../support/onnx-checker.js';
import { linearOn } from '../scale/linear-correction.js';
import { decodeModel, tensorDims, toNumber } from './fixtures.js';

const WINDOW = 72;
const HOURS = 48;
const HIDDEN = 32;
const TOLERANCE = { atol: 1e-5, rtol: 1e-3 };

function windowsOf(seed: number, count: number): ScaleWindows {
  return scaleWindows(
    hourlyCandles(WINDOW + count + 1, seed),
    { first: WINDOW - 1, count },
    { windowLength: WINDOW, hours: HOURS, inputs: DEFAULT_SCALE_INPUTS },
  );
}

/** The inputs' own mean and sd, as the linear correction's fit computes them: far from 0 and 1. */
function standardiserOf(windows: ScaleWindows): Standardiser {
  const d = windows.inputCount;
  const mean = Array.from({ length: d }, (_, j) => {
    let sum = 0;
    for (let i = 0; i < windows.count; i += 1) sum += windows.inputs[i * d + j]!;
    return sum / windows.count;
  });
  const sd = mean.map((m, j) => {
    let sum = 0;
    for (let i = 0; i < windows.count; i += 1) sum += (windows.inputs[i * d + j]! - m) ** 2;
    return Math.sqrt(sum / windows.count) || 1;
  });
  return { mean, sd };
}

/**
 * Seeded random weights large enough that the gates leave their linear region, and heads, linear terms
 * and biases that all matter: what a trained member might hold, not the zero-head start.
 */
function randomMember(shape: ScaleNetworkShape, seed: number): ScaleMemberWeights {
  const random = new SeededRandom(seed);
  const { channels: c, hiddenSize: h, linearInputs: d } = shape;
  const limit = (fanIn: number, fanOut: number): number => 2 * Math.sqrt(6 / (fanIn + fanOut));
  return {
    shape,
    lstm: {
      inputSize: c,
      hiddenSize: h,
      kernel: random.uniform(c * 4 * h, -limit(c, 4 * h), limit(c, 4 * h)),
      recurrentKernel: random.uniform(h * 4 * h, -limit(h, 4 * h), limit(h, 4 * h)),
      bias: random.uniform(4 * h, -0.5, 0.5),
    },
    headKernel: random.uniform(h, -0.3, 0.3),
    headBias: random.uniform(1, -0.5, 0.5),
    linearKernel: random.uniform(d, -0.3, 0.3),
    linearBias: random.uniform(1, -0.5, 0.5),
  };
}

function initializer(bytes: Uint8Array, name: string): TensorProto {
  const found = decodeModel(bytes).graph?.initializer?.find((t) => t.name === name);
  assert.ok(found, `no initializer ${name}`);
  return found;
}

function rawFloats(tensor: TensorProto): Float32Array {
  const raw = tensor.rawData ?? new Uint8Array();
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Float32Array.from({ length: raw.byteLength / 4 }, (_, k) => view.getFloat32(k * 4, true));
}

describe('exportScaleNetworkToOnnx', () => {
  const networks: ScaleNetwork[] = [];
  let windows: ScaleWindows;
  let standardiser: Standardiser;
  let shape: ScaleNetworkShape;
  let members: ScaleMemberWeights[];

  before(async () => {
    await selectBackend('auto');
    windows = windowsOf(3, 200);
    standardiser = standardiserOf(windows);
    shape = {
      hours: HOURS,
      channels: windows.channels,
      hiddenSize: HIDDEN,
      linearInputs: windows.inputCount,
    };
    members = [11, 12, 13].map((seed) => randomMember(shape, seed));
  });

  after(() => {
    for (const network of networks) network.dispose();
  });

  function networksOf(weights: readonly ScaleMemberWeights[]): ScaleNetwork[] {
    const made = weights.map((w) => ScaleNetwork.fromWeights(w));
    networks.push(...made);
    return made;
  }

  for (const count of [1, 3]) {
    it(`gives TensorFlow.js's log_scale for ${count} member(s) with random weights`, async (t) => {
      // Arrange
      const chosen = members.slice(0, count);
      const bytes = exportScaleNetworkToOnnx(chosen, standardiser);

      // Act
      const report = await checkScaleParity(
        { members: networksOf(chosen), standardiser },
        windows,
        bytes,
        TOLERANCE,
      );

      // Assess
      t.diagnostic(
        `M=${count}: max abs error ${report.maxAbsError.toExponential(2)}, max rel error ${report.maxRelError.toExponential(2)} over ${report.count} windows`,
      );
      assert.equal(report.count, windows.count);
      assert.ok(report.ok, `${report.failures} outside tolerance, max abs error ${report.maxAbsError}`);
    });
  }

  it('passes the pipeline gate on test and seeded random windows, and fails it for other weights', async (t) => {
    // Arrange
    const model = { members: networksOf(members), standardiser };
    const conversion = { ...TOLERANCE, random_windows: 64 };
    const bytes = exportScaleNetworkToOnnx(members, standardiser);
    const wrong = exportScaleNetworkToOnnx([members[0]!, members[1]!, randomMember(shape, 99)], standardiser);

    // Act
    const summary = await checkScaleNetworkParity(model, bytes, windows, conversion, new SeededRandom(5));

    // Assess
    t.diagnostic(`random and test windows: max abs error ${summary.maxAbsError.toExponential(2)}`);
    assert.equal(summary.windows, 64 + windows.count);
    await assert.rejects(
      checkScaleNetworkParity(model, wrong, windows, conversion, new SeededRandom(5)),
      (error: unknown) => error instanceof ParityError && /random scale windows/.test(error.message),
    );
  });

  it('untrained (zero heads), is exactly the linear correction it starts from', async () => {
    // Arrange: three members from the same fitted correction, each its own random LSTM.
    const linear = linearOn(windows);
    const untrained = [1, 2, 3].map((seed) => {
      const network = ScaleNetwork.initialize(shape, linear, new SeededRandom(seed));
      networks.push(network);
      return network.toWeights();
    });
    const bytes = exportScaleNetworkToOnnx(untrained, linear);
    const inputs = Float32Array.from(windows.inputs);

    // Act
    const logScale = await runScaleOnnx(
      bytes,
      windows.sequences,
      inputs,
      windows.count,
      HOURS,
      shape.linearInputs,
    );
    const blind = await runScaleOnnx(
      bytes,
      new Float32Array(windows.sequences.length),
      inputs,
      windows.count,
      HOURS,
      shape.linearInputs,
    );

    // Assess: the LSTM adds exactly nothing, and the rest is the correction to float32 rounding.
    assert.deepEqual(logScale, blind);
    const d = shape.linearInputs;
    for (let i = 0; i < windows.count; i += 1) {
      const row = windows.inputs.subarray(i * d, (i + 1) * d);
      const expected = Math.log(correctedSigma(linear, row, windows.sigmaB1[i]!) / windows.sigmaB1[i]!);
      assert.ok(Math.abs(logScale[i]! - expected) < 2e-6, `window ${i}: ${logScale[i]} vs ${expected}`);
    }
  });

  it('is accepted by the official ONNX checker (full_check)', async (t) => {
    // Act
    const result = await checkOnnxModel(exportScaleNetworkToOnnx(members, standardiser));

    // Assess
    if (result.status === 'skipped') {
      t.skip(`ONNX checker not run: ${result.reason}`);
      return;
    }
    assert.equal(result.irVersion, 8);
    assert.deepEqual(result.opsets, { 'ai.onnx': 17 });
  });

  it('runs only allow-listed operators, one LSTM of M x H units', () => {
    // Act
    const bytes = exportScaleNetworkToOnnx(members, standardiser);
    const graph = readOnnxGraph(bytes);
    const nodes = decodeModel(bytes).graph?.node ?? [];

    // Assess
    assert.deepEqual(operatorProblems(graph), []);
    assert.ok(graph.nodes.every((n) => ALLOWED_OPERATORS.has(n.opType) && n.domain === ''));
    assert.deepEqual(
      nodes.map((n) => n.opType),
      ['Transpose', 'LSTM', 'Squeeze', 'MatMul', 'MatMul', 'Add', 'Add'],
    );
    const lstm = nodes.find((n) => n.opType === 'LSTM');
    assert.equal(toNumber(lstm?.attribute?.find((a) => a.name === 'hidden_size')?.i), 3 * HIDDEN);
  });

  it('takes sequence [batch, hours, 2] and raw scale_inputs [batch, d], and answers log_scale [batch, 1]', () => {
    // Act
    const graph = decodeModel(exportScaleNetworkToOnnx(members, standardiser)).graph;

    // Assess
    const float = onnx.TensorProto.DataType.FLOAT;
    assert.deepEqual(
      graph?.input?.map((i) => [i.name, tensorDims(i), i.type?.tensorType?.elemType]),
      [
        [SCALE_ONNX_IO.sequence, ['batch', HOURS, 2], float],
        [SCALE_ONNX_IO.inputs, ['batch', 11], float],
      ],
    );
    assert.deepEqual(
      graph?.output?.map((o) => [o.name, tensorDims(o), o.type?.tensorType?.elemType]),
      [[SCALE_ONNX_IO.output, ['batch', 1], float]],
    );
    assert.deepEqual(
      [SCALE_ONNX_IO.sequence, SCALE_ONNX_IO.inputs, SCALE_ONNX_IO.output],
      ['sequence', 'scale_inputs', 'log_scale'],
    );
  });

  it("places member m's unit u of gate g at row g·MH + m·H + u, with zeros between members", () => {
    // Arrange
    const h = HIDDEN;
    const units = 3 * h;
    const bytes = exportScaleNetworkToOnnx(members, standardiser);
    const w = rawFloats(initializer(bytes, 'lstm_W'));
    const r = rawFloats(initializer(bytes, 'lstm_R'));
    const b = rawFloats(initializer(bytes, 'lstm_B'));

    // Assess
    assert.deepEqual(initializer(bytes, 'lstm_R').dims?.map(toNumber), [1, 4 * units, units]);
    members.forEach((member, m) => {
      const own = toOnnxLstmTensors(member.lstm);
      for (let g = 0; g < 4; g += 1) {
        for (const u of [0, 7, h - 1]) {
          const row = g * units + m * h + u;
          const from = g * h + u;
          assert.deepEqual(w.subarray(row * 2, row * 2 + 2), own.w.subarray(from * 2, from * 2 + 2));
          assert.deepEqual(
            r.subarray(row * units + m * h, row * units + m * h + h),
            own.r.subarray(from * h, from * h + h),
          );
          const others = [...r.subarray(row * units, row * units + units)].filter(
            (_, col) => Math.floor(col / h) !== m,
          );
          assert.ok(
            others.every((v) => v === 0),
            `row ${row} mixes members`,
          );
          assert.equal(b[row], own.b[from]);
        }
      }
    });
    assert.ok(
      b.subarray(4 * units).every((v) => v === 0),
      'Rb is zero',
    );
  });

  it('gives the same bytes every time, and is small', (t) => {
    // Act
    const first = exportScaleNetworkToOnnx(members, standardiser);
    const second = exportScaleNetworkToOnnx(members, standardiser);

    // Assess
    t.diagnostic(`M=3, H=${HIDDEN}, hours=${HOURS}, d=11: ${first.byteLength} bytes`);
    assert.deepEqual(first, second);
    assert.equal(first.buffer.byteLength, first.byteLength);
    assert.ok(first.byteLength < 200_000);
  });

  describe('refuses bad inputs, naming the problem', () => {
    const refuses = (
      make: () => readonly [readonly ScaleMemberWeights[], Standardiser],
      message: RegExp,
    ): void => {
      const [chosen, chosenStandardiser] = make();
      assert.throws(
        () => exportScaleNetworkToOnnx(chosen, chosenStandardiser),
        (error: unknown) => error instanceof InvalidWeightsError && message.test(error.message),
      );
    };

    it('no members', () => refuses(() => [[], standardiser], /at least one member/));

    it('members of different hidden sizes', () =>
      refuses(
        () => [[members[0]!, randomMember({ ...shape, hiddenSize: 8 }, 1)], standardiser],
        /members\[1\]\.shape differs from members\[0\]\.shape in hiddenSize \(8 vs 32\)/,
      ));

    it('a NaN head weight', () => {
      const headKernel = Float32Array.from(members[1]!.headKernel);
      headKernel[3] = Number.NaN;
      refuses(
        () => [[members[0]!, { ...members[1]!, headKernel }], standardiser],
        /members\[1\]\.headKernel\[3\] is NaN/,
      );
    });

    it('an infinite LSTM weight', () => {
      const kernel = Float32Array.from(members[0]!.lstm.kernel);
      kernel[0] = Infinity;
      refuses(
        () => [[{ ...members[0]!, lstm: { ...members[0]!.lstm, kernel } }], standardiser],
        /members\[0\]\.lstm\.kernel\[0\] is Infinity/,
      );
    });

    it('a linear kernel of the wrong length', () =>
      refuses(
        () => [[{ ...members[0]!, linearKernel: new Float32Array(10) }], standardiser],
        /members\[0\]\.linearKernel has 10 values, expected 11/,
      ));

    it('an sd of zero', () =>
      refuses(
        () => [members, { ...standardiser, sd: standardiser.sd.map((s, j) => (j === 2 ? 0 : s)) }],
        /standardiser\.sd\[2\] is 0, not a finite number > 0/,
      ));

    it('a standardiser of the wrong width', () =>
      refuses(
        () => [members, { mean: standardiser.mean.slice(1), sd: standardiser.sd }],
        /standardiser\.mean has 10 values, expected 11/,
      ));

    it('three sequence channels', () =>
      refuses(
        () => [[randomMember({ ...shape, channels: 3 }, 1)], standardiser],
        /channels is 3, expected 2/,
      ));

    it('an sd so small the folded weight overflows float32', () =>
      refuses(
        () => [members, { ...standardiser, sd: standardiser.sd.map((s, j) => (j === 0 ? 1e-40 : s)) }],
        /folded weight of input 0/,
      ));

    it('an opset it does not write', () => {
      assert.throws(
        () => exportScaleNetworkToOnnx(members, standardiser, { opset: 12 }),
        UnsupportedOpsetError,
      );
    });

    it('inputs of the wrong size to runScaleOnnx', async () => {
      const bytes = exportScaleNetworkToOnnx(members, standardiser);
      await assert.rejects(
        runScaleOnnx(bytes, new Float32Array(HOURS * 2), new Float32Array(10), 1, HOURS, 11),
        (error: unknown) =>
          error instanceof ParityShapeError && /inputs holds 10 values, expected 1 x 11/.test(error.message),
      );
    });
  });
});
