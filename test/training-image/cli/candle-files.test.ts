import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { candleFilesPerPair } from '../../../training-image/src/cli/candle-files.js';
import { PanelInputError } from '../../../training-image/src/pipeline/panel-errors.js';

const CWD = '/data/run';
const CONFIGURED = ['BTC/USDT', 'ETH/USDT'] as const;

describe('candleFilesPerPair', () => {
  it('gives the i-th file to the i-th pair, trimmed, pairs upper-cased, files resolved', () => {
    const given = candleFilesPerPair(
      { candles: ' eth.csv , /abs/bnb.csv', pairs: 'eth/usdt, BNB/USDT ' },
      CONFIGURED,
      CWD,
    );

    assert.deepEqual(given, {
      pairs: ['ETH/USDT', 'BNB/USDT'],
      candlesFiles: ['/data/run/eth.csv', '/abs/bnb.csv'],
    });
  });

  it('takes the configured pairs without --pairs, and the exchange without --candles', () => {
    assert.deepEqual(candleFilesPerPair({}, CONFIGURED, CWD), {
      pairs: ['BTC/USDT', 'ETH/USDT'],
      candlesFiles: undefined,
    });
    assert.deepEqual(candleFilesPerPair({ pairs: 'SOL/USDT' }, CONFIGURED, CWD), {
      pairs: ['SOL/USDT'],
      candlesFiles: undefined,
    });
    assert.deepEqual(candleFilesPerPair({ candles: 'b.csv,e.csv' }, CONFIGURED, CWD).candlesFiles, [
      '/data/run/b.csv',
      '/data/run/e.csv',
    ]);
  });

  it('refuses as many files as pairs not given, saying how to give them', () => {
    assert.throws(
      () => candleFilesPerPair({ candles: 'a.csv', pairs: 'ETH/USDT,BNB/USDT' }, CONFIGURED, CWD),
      (error: unknown) =>
        error instanceof PanelInputError &&
        error.message ===
          '--candles gives 1 file(s) for 2 pair(s) in --pairs (ETH/USDT, BNB/USDT): give one CSV file per pair, ' +
            'in the order of the pairs, for example --candles eth_usdt.csv,bnb_usdt.csv --pairs ETH/USDT,BNB/USDT',
    );
    // One file with several configured pairs: the usual slip
    assert.throws(
      () => candleFilesPerPair({ candles: 'btc.csv' }, CONFIGURED, CWD),
      /1 file\(s\) for 2 configured pair\(s\) \(BTC\/USDT, ETH\/USDT\): .*--pairs BTC\/USDT,ETH\/USDT/,
    );
  });

  it('refuses a pair given twice', () => {
    assert.throws(
      () => candleFilesPerPair({ candles: 'a.csv,b.csv', pairs: 'ETH/USDT,eth/usdt' }, CONFIGURED, CWD),
      /--pairs ETH\/USDT,eth\/usdt: ETH\/USDT is given twice/,
    );
  });

  it('refuses an empty entry and a malformed pair', () => {
    assert.throws(
      () => candleFilesPerPair({ candles: 'a.csv,,b.csv', pairs: 'ETH/USDT,BNB/USDT' }, CONFIGURED, CWD),
      /--candles "a.csv,,b.csv": entry 2 is empty/,
    );
    assert.throws(
      () => candleFilesPerPair({ pairs: 'ETHUSDT' }, CONFIGURED, CWD),
      /--pairs ETHUSDT: expected BASE\/QUOTE/,
    );
  });
});
