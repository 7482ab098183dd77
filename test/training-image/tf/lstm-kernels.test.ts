/**
 * The fused LSTM step kernels against the step written with plain arithmetic in
 * float64, on the wasm backend (SIMD for hidden sizes that are multiples of 4,
 * JavaScript otherwise) and on the cpu backend (JavaScript).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import {
  CACHE_BLOCKS,
  installLstmKernels,
  lstmCell,
  lstmCellGrad,
} from '../../../training-image/src/tf/lstm-kernels.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface StepCase {
  readonly batch: number;
  readonly hidden: number;
  readonly steps: number;
  readonly row: number;
  readonly xz: Float32Array;
  readonly hz: Float32Array;
  readonly c: Float32Array;
}

function makeCase(batch: number, hidden: number, seed: number): StepCase {
  const random = new SeededRandom(seed);
  const steps = 3;
  return {
    batch,
    hidden,
    steps,
    row: batch, // the second step
    // Pre-activations up to +-12 reach both saturated ends of the sigmoid.
    xz: random.uniform(steps * batch * 4 * hidden, -6, 6),
    hz: random.uniform(batch * 4 * hidden, -6, 6),
    c: random.uniform(batch * hidden, -3, 3),
  };
}

/** The step by definition (Keras gate order, candidate pre-activation doubled), in float64. */
function expectedForward(k: StepCase): { h: number[]; c: number[]; cache: number[] } {
  const { batch, hidden: H } = k;
  const h: number[] = [];
  const c: number[] = [];
  const cache: number[] = new Array<number>(batch * CACHE_BLOCKS * H).fill(0);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < H; j++) {
      const z = (gate: number): number =>
        (k.xz[(k.row + b) * 4 * H + gate * H + j] as number) + (k.hz[b * 4 * H + gate * H + j] as number);
      const i = sigmoid(z(0));
      const f = sigmoid(z(1));
      const g = Math.tanh(z(2) / 2);
      const o = sigmoid(z(3));
      const cPrev = k.c[b * H + j] as number;
      const cNext = f * cPrev + i * g;
      const tc = Math.tanh(cNext);
      h.push(o * tc);
      c.push(cNext);
      const at = b * CACHE_BLOCKS * H + j;
      cache[at] = g * i * (1 - i);
      cache[at + H] = cPrev * f * (1 - f);
      // d g / d z for g = tanh(z / 2) is (1 - g^2) / 2.
      cache[at + 2 * H] = (i * (1 - g * g)) / 2;
      cache[at + 3 * H] = tc * o * (1 - o);
      cache[at + 4 * H] = o * (1 - tc * tc);
      cache[at + 5 * H] = f;
    }
  }
  return { h, c, cache };
}

function maxAbsDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  return worst;
}

function runForward(k: StepCase): { h: Float32Array; c: Float32Array; cache: Float32Array } {
  return tf.tidy(() => {
    const [h, c, cache] = lstmCell(
      tf.tensor2d(k.xz, [k.steps * k.batch, 4 * k.hidden]),
      tf.tensor2d(k.hz, [k.batch, 4 * k.hidden]),
      tf.tensor2d(k.c, [k.batch, k.hidden]),
      k.row,
      true,
    ) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    return {
      h: h.dataSync() as Float32Array,
      c: c.dataSync() as Float32Array,
      cache: cache.dataSync() as Float32Array,
    };
  });
}

for (const backendName of ['wasm', 'cpu'] as const) {
  describe(`LSTM step kernels on ${backendName}`, () => {
    before(async () => {
      await selectBackend(backendName);
    });
    after(async () => {
      await selectBackend('auto');
    });

    it('assemble the SIMD module', async () => {
      const info = await installLstmKernels();

      assert.deepEqual(info, { simd: true, simdSkipped: null });
    });

    for (const hidden of [8, 6, 128]) {
      it(`forward matches the definition (hidden ${hidden})`, () => {
        const k = makeCase(5, hidden, hidden);
        const expected = expectedForward(k);

        const actual = runForward(k);

        assert.ok(maxAbsDifference(actual.h, expected.h) < 2e-6, 'h');
        assert.ok(maxAbsDifference(actual.c, expected.c) < 2e-6, 'c');
        assert.ok(maxAbsDifference(actual.cache, expected.cache) < 2e-6, 'cache');
      });

      it(`backward matches the definition and writes dz into its rows of dZ only, with and without a gradient from above (hidden ${hidden})`, () => {
        const { batch } = makeCase(5, hidden, hidden);
        const random = new SeededRandom(100 + hidden);
        const dh = random.uniform(batch * hidden, -1, 1);
        const arriving = random.uniform(2 * batch * hidden, -1, 1);
        const dc = random.uniform(batch * hidden, -1, 1);
        const cache = random.uniform(batch * CACHE_BLOCKS * hidden, -1, 1);

        for (const arriveRow of [-1, batch]) {
          const dZ = tf.zeros([3 * batch, 4 * hidden]) as tf.Tensor2D;
          const dcOut = tf.tidy(
            () =>
              lstmCellGrad(
                tf.tensor2d(dh, [batch, hidden]),
                tf.tensor2d(arriving, [2 * batch, hidden]),
                arriveRow,
                tf.tensor2d(dc, [batch, hidden]),
                tf.tensor2d(cache, [batch, CACHE_BLOCKS * hidden]),
                dZ,
                batch,
              ).dataSync() as Float32Array,
          );
          const written = dZ.dataSync() as Float32Array;
          dZ.dispose();

          const expectedDz: number[] = [];
          const expectedDc: number[] = [];
          for (let b = 0; b < batch; b++) {
            const dzRow = new Array<number>(4 * hidden);
            for (let j = 0; j < hidden; j++) {
              const factor = (block: number): number =>
                cache[b * CACHE_BLOCKS * hidden + block * hidden + j] as number;
              const dhj =
                (dh[b * hidden + j] as number) +
                (arriveRow < 0 ? 0 : (arriving[(arriveRow + b) * hidden + j] as number));
              const dcj = (dc[b * hidden + j] as number) + dhj * factor(4);
              dzRow[j] = dcj * factor(0);
              dzRow[hidden + j] = dcj * factor(1);
              dzRow[2 * hidden + j] = dcj * factor(2);
              dzRow[3 * hidden + j] = dhj * factor(3);
              expectedDc.push(dcj * factor(5));
            }
            expectedDz.push(...dzRow);
          }
          // dz in rows [batch, 2 batch) of dZ, and nothing written elsewhere.
          const rows = 4 * hidden * batch;
          assert.ok(
            maxAbsDifference(written.subarray(rows, 2 * rows), expectedDz) < 1e-6,
            `dz, arriveRow ${arriveRow}`,
          );
          assert.ok(maxAbsDifference(dcOut, expectedDc) < 1e-6, `dc, arriveRow ${arriveRow}`);
          assert.ok(
            written.subarray(0, rows).every((v) => v === 0),
            `rows before, arriveRow ${arriveRow}`,
          );
          assert.ok(
            written.subarray(2 * rows).every((v) => v === 0),
            `rows after, arriveRow ${arriveRow}`,
          );
        }
      });
    }
  });
}
