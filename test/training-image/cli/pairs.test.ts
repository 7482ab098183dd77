import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairsToTrain } from '../../../training-image/src/cli/pairs.js';
import { smallConfig } from '../../support/small-config.js';

describe('pairsToTrain', () => {
  const config = smallConfig({ pairs: ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT'] });

  it('takes --pair first', () => {
    assert.deepEqual(pairsToTrain(config, 'eth/usdt', { AWS_BATCH_JOB_ARRAY_INDEX: '0' }), ['ETH/USDT']);
  });

  it("picks this Batch array child's pair by AWS_BATCH_JOB_ARRAY_INDEX", () => {
    assert.deepEqual(pairsToTrain(config, undefined, { AWS_BATCH_JOB_ARRAY_INDEX: '2' }), ['CHZ/USDT']);
  });

  it('trains every configured pair outside an array job', () => {
    assert.deepEqual(pairsToTrain(config, undefined, {}), ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT']);
  });

  it('says which index has no pair', () => {
    assert.throws(
      () => pairsToTrain(config, undefined, { AWS_BATCH_JOB_ARRAY_INDEX: '3' }),
      /index 3 has no pair: PAIRS holds 3/i,
    );
  });

  it('refuses a malformed --pair', () => {
    assert.throws(() => pairsToTrain(config, 'BTCUSDT', {}), /--pair BTCUSDT: expected BASE\/QUOTE/);
  });
});
