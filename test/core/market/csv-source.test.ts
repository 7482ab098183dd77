import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { parseCandlesCsv, readCandlesCsv } from '../../../core/market/csv-source.js';
import { CsvFormatError } from '../../../core/market/errors.js';

// 2021-03-06 17:00 and 18:00 UTC.
const T17 = Date.UTC(2021, 2, 6, 17);
const T18 = Date.UTC(2021, 2, 6, 18);

describe('readCandlesCsv', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-source-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('reads the ccxt layout with ms timestamps', async () => {
    // Prepare
    const path = await write(
      'ccxt.csv',
      [
        'timestamp,open,high,low,close,volume',
        `${T17},48000.5,48100,47900.25,48050,12.5`,
        `${T18},48050,48200,48000,48150.75,7`,
        '',
      ].join('\n'),
    );

    // Act
    const candles = await readCandlesCsv(path);

    // Assess
    assert.deepEqual(candles, [
      { openTime: T17, open: 48000.5, high: 48100, low: 47900.25, close: 48050, volume: 12.5 },
      { openTime: T18, open: 48050, high: 48200, low: 48000, close: 48150.75, volume: 7 },
    ]);
  });

  it('reads the ccxt layout with ISO and "YYYY-MM-DD HH:MM:SS" times as UTC', async () => {
    const path = await write(
      'ccxt-dates.csv',
      [
        'timestamp,open,high,low,close,volume',
        '2021-03-06T17:00:00Z,1,2,0.5,1.5,10',
        '2021-03-06 18:00:00,1.5,2,1,1.75,11',
        '2021-03-06T21:00:00+02:00,1.75,2,1.5,1.8,12',
      ].join('\n'),
    );

    const candles = await readCandlesCsv(path);

    assert.deepEqual(
      candles.map((c) => c.openTime),
      [T17, T18, Date.UTC(2021, 2, 6, 19)],
    );
  });

  it('reads a Binance kline export with its unnamed index column, CRLF and trailing blank lines', async () => {
    const path = await write(
      'btc_usdt_1h.csv',
      [
        ',timestamp,open,high,low,close,volume,close_time,quote_av,trades,tb_base_av,tb_quote_av,ignore',
        '0,2021-03-06 17:00:00,48000.0,48100.0,47900.0,48050.0,12.5,1615053599999,600000.0,900,6.0,288000.0,0',
        '1,2021-03-06 18:00:00,48050.0,48200.0,48000.0,48150.0,7.25,1615057199999,350000.0,700,3.0,144000.0,0',
        '',
        '',
      ].join('\r\n'),
    );

    const candles = await readCandlesCsv(path);

    assert.deepEqual(candles, [
      { openTime: T17, open: 48000, high: 48100, low: 47900, close: 48050, volume: 12.5 },
      { openTime: T18, open: 48050, high: 48200, low: 48000, close: 48150, volume: 7.25 },
    ]);
  });

  it('reads a Binance kline export without the index column and with ms open times', async () => {
    const text = [
      'open_time,open,high,low,close,volume,close_time,quote_av,trades,tb_base_av,tb_quote_av,ignore',
      `${T17},1,2,0.5,1.5,10,${T18 - 1},15,3,5,7.5,0`,
    ].join('\n');

    assert.deepEqual(parseCandlesCsv(text, 'klines.csv'), [
      { openTime: T17, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    ]);
  });

  it('reads a CryptoDataDownload file: URL line, newest row first, Unix seconds, base volume', async () => {
    const path = await write(
      'Binance_BTCUSDT_1h.csv',
      [
        'https://www.CryptoDataDownload.com',
        'Unix,Date,Symbol,Open,High,Low,Close,Volume BTC,Volume USDT,tradecount',
        `${T18 / 1000},2021-03-06 18:00:00,BTC/USDT,48050,48200,48000,48150,7.25,349087.5,700`,
        `${T17 / 1000},2021-03-06 17:00:00,BTC/USDT,48000,48100,47900,48050,12.5,600625,900`,
      ].join('\n'),
    );

    const candles = await readCandlesCsv(path);

    assert.deepEqual(candles, [
      { openTime: T17, open: 48000, high: 48100, low: 47900, close: 48050, volume: 12.5 },
      { openTime: T18, open: 48050, high: 48200, low: 48000, close: 48150, volume: 7.25 },
    ]);
  });

  it('reads a CryptoDataDownload file with Unix in ms, no tradecount, and quoted fields', async () => {
    const text = [
      '"https://www.CryptoDataDownload.com"',
      'Unix,Date,Symbol,Open,High,Low,Close,Volume ETH,Volume USDT',
      `${T18},"2021-03-06 18:00:00","ETH/USDT","1650.5","1660","1640","1655","100","165500"`,
      `${T17},"2021-03-06 17:00:00","ETH/USDT","1645","1652","1640","1650.5","120.5","198000"`,
    ].join('\r\n');

    const candles = parseCandlesCsv(text, 'eth.csv');

    assert.deepEqual(
      candles.map((c) => [c.openTime, c.close, c.volume]),
      [
        [T17, 1650.5, 120.5],
        [T18, 1655, 100],
      ],
    );
  });

  it('refuses an unknown header, naming the layouts it expected', () => {
    assert.throws(
      () => parseCandlesCsv('time,price\n1,2\n', 'prices.csv'),
      (error: unknown) =>
        error instanceof CsvFormatError &&
        error.file === 'prices.csv' &&
        error.line === 1 &&
        error.message.includes('timestamp,open,high,low,close,volume') &&
        error.message.includes('close_time') &&
        error.message.includes('Unix,Date,Symbol'),
    );
  });

  it('refuses an empty file', () => {
    assert.throws(() => parseCandlesCsv('\n\n', 'empty.csv'), CsvFormatError);
  });

  it('names the line of a value that is not a number', () => {
    const text = [
      'timestamp,open,high,low,close,volume',
      `${T17},1,2,0.5,1.5,10`,
      `${T18},1,two,0.5,1.5,10`,
    ].join('\n');

    assert.throws(
      () => parseCandlesCsv(text, 'bad.csv'),
      (error: unknown) =>
        error instanceof CsvFormatError &&
        error.line === 3 &&
        /high "two" is not a number/.test(error.message),
    );
  });

  it('refuses an empty field instead of reading it as 0', () => {
    const text = ['timestamp,open,high,low,close,volume', `${T17},1,2,0.5,,10`].join('\n');
    assert.throws(() => parseCandlesCsv(text, 'hole.csv'), /close "" is not a number/);
  });

  it('names the line of a row with the wrong number of fields', () => {
    const text = ['timestamp,open,high,low,close,volume', `${T17},1,2,0.5,1.5`].join('\n');
    assert.throws(
      () => parseCandlesCsv(text, 'short.csv'),
      (error: unknown) =>
        error instanceof CsvFormatError && error.line === 2 && /expected 6 fields/.test(error.message),
    );
  });

  it('refuses a date that does not exist', () => {
    const text = ['timestamp,open,high,low,close,volume', '2021-02-30 00:00:00,1,2,0.5,1.5,10'].join('\n');
    assert.throws(() => parseCandlesCsv(text, 'feb.csv'), /time "2021-02-30 00:00:00"/);
  });

  it('refuses an unclosed quote', () => {
    const text = ['timestamp,open,high,low,close,volume', `${T17},"1,2,0.5,1.5,10`].join('\n');
    assert.throws(() => parseCandlesCsv(text, 'quote.csv'), /quoted field is not closed/);
  });

  it('keeps rows that share a time, for validation to report', () => {
    const text = [
      'timestamp,open,high,low,close,volume',
      `${T17},1,2,0.5,1.5,10`,
      `${T17},1,2,0.5,1.5,10`,
    ].join('\n');
    assert.equal(parseCandlesCsv(text, 'twice.csv').length, 2);
  });
});
