import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TimeframeError } from '../../../core/market/errors.js';
import { candleOpenTime, timeframeToMs } from '../../../core/market/timeframe.js';

describe('timeframeToMs', () => {
  it('converts the timeframes the pipeline uses', () => {
    assert.equal(timeframeToMs('1m'), 60_000);
    assert.equal(timeframeToMs('15m'), 900_000);
    assert.equal(timeframeToMs('1h'), 3_600_000);
    assert.equal(timeframeToMs('4h'), 14_400_000);
    assert.equal(timeframeToMs('1d'), 86_400_000);
    assert.equal(timeframeToMs('1w'), 604_800_000);
  });

  it('refuses what is not a timeframe, and months which have no fixed length', () => {
    for (const bad of ['', 'h', '0h', '1.5h', '1H', '1M', '1y', ' 1h']) {
      assert.throws(() => timeframeToMs(bad), TimeframeError, bad);
    }
  });
});

describe('candleOpenTime', () => {
  it('gives the open time of the candle containing a time', () => {
    const hour = Date.UTC(2024, 5, 1, 12);
    assert.equal(candleOpenTime(hour + 30 * 60_000, 3_600_000), hour);
    assert.equal(candleOpenTime(hour, 3_600_000), hour);
    assert.equal(candleOpenTime(hour - 1, 3_600_000), hour - 3_600_000);
  });
});
