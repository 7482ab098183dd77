import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropoutDraws, dropoutMaskRows } from '../../../training-image/src/model/dropout.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';

const shape = { sequenceLength: 5, featureCount: 9, hiddenSize: 3, layers: 3, dropoutRate: 0.4 };

describe('dropout masks drawn by rows (parallel workers)', () => {
  it('skip(n) lands where n draws would', () => {
    for (const n of [0, 1, 7, 1000, 2 ** 31 + 5]) {
      const drawn = new SeededRandom(11);
      const jumped = new SeededRandom(11);
      // 2^31 + 5 draws one by one would take too long: compare two jumps instead.
      if (n < 10_000) for (let i = 0; i < n; i++) drawn.next();
      else {
        drawn.skip(2 ** 31);
        drawn.skip(5);
      }
      jumped.skip(n);

      assert.equal(jumped.position, drawn.position);
      assert.equal(jumped.next(), drawn.next());
    }
  });

  it('gives every share exactly its rows of the masks one thread draws, in the same order', () => {
    const batch = 7;
    const single = new SeededRandom(5);
    const position = single.position;
    // What lossAndGradients draws on one thread: layer by layer, step by step, [batch * H] each.
    const whole = Array.from({ length: shape.layers - 1 }, () =>
      Array.from({ length: shape.sequenceLength }, () =>
        single.dropoutMask(batch * shape.hiddenSize, shape.dropoutRate),
      ),
    );

    for (const [from, to] of [
      [0, 3],
      [3, 7],
      [2, 3],
    ] as const) {
      const rows = dropoutMaskRows(shape, { position, batch, from, to });

      rows.forEach((layer, l) =>
        layer.forEach((mask, t) =>
          assert.deepEqual(
            Array.from(mask),
            Array.from(
              (whole[l]?.[t] as Float32Array).subarray(from * shape.hiddenSize, to * shape.hiddenSize),
            ),
          ),
        ),
      );
    }
    const after = new SeededRandom(position);
    after.skip(dropoutDraws(shape, batch));
    assert.equal(after.position, single.position, 'the generator moves past the whole batch');
  });

  it('draws nothing without dropout', () => {
    const none = { ...shape, dropoutRate: 0 };

    assert.equal(dropoutDraws(none, 4), 0);
    assert.deepEqual(dropoutMaskRows(none, { position: 1, batch: 4, from: 0, to: 2 }), []);
  });
});
