/**
 * tf/uninitialized.ts: a float32 tensor of the asked shape on the backend's own memory,
 * freed like any other; on cpu its values are zeros. (The LSTM's dZ is one: the network
 * tests check that the step kernel fills it whole, through the gradients.)
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { uninitialized } from '../../../training-image/src/tf/uninitialized.js';

describe('uninitialized', () => {
  after(async () => {
    await selectBackend('auto');
  });

  for (const backendName of ['wasm', 'cpu'] as const) {
    it(`makes a float32 tensor of the shape on ${backendName}, writable and freed`, async () => {
      await selectBackend(backendName);
      const before = tf.memory().numTensors;
      const t = uninitialized([3, 8]);
      assert.deepEqual(t.shape, [3, 8]);
      assert.equal(t.dtype, 'float32');
      if (backendName === 'cpu') assert.deepEqual(Array.from(t.dataSync()), new Array<number>(24).fill(0));
      const sum = tf.add(t, 1);
      assert.equal(sum.dataSync().length, 24);
      tf.dispose([t, sum]);
      assert.equal(tf.memory().numTensors, before);
    });
  }
});
