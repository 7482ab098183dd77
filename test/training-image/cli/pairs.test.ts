import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairsToTrain } from '../../../training-image/src/cli/pairs.js';
import { smallConfig } from '../../support/small-config.js';

describe('pairsToTrain', () => {
  const config = smallConfig({ pairs: ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT'] });

  it('takes --pair first', () => {
    assert.deepEqual(pairsToTrain(config, 'eth/usdt', {}), ['ETH/USDT']);
  });

  it('trains every configured pair, in order, without --pair (the deployed job)', () => {
    assert.deepEqual(pairsToTrain(config, undefined, {}), ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT']);
  });

  it('refuses to run as an array child, which would train and publish every pair once per child', () => {
    assert.throws(
      () => pairsToTrain(config, undefined, { AWS_BATCH_JOB_ARRAY_INDEX: '2' }),
      /AWS_BATCH_JOB_ARRAY_INDEX is set \(2\).*one job trains every pair of PAIRS.*Submit a single job/,
    );
  });

  it('ignores an empty AWS_BATCH_JOB_ARRAY_INDEX', () => {
    assert.deepEqual(pairsToTrain(config, undefined, { AWS_BATCH_JOB_ARRAY_INDEX: '' }), [
      'BTC/USDT',
      'ETH/USDT',
      'CHZ/USDT',
    ]);
  });

  it('refuses a malformed --pair', () => {
    assert.throws(() => pairsToTrain(config, 'BTCUSDT', {}), /--pair BTCUSDT: expected BASE\/QUOTE/);
  });
});
