import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { parseCandlesCsv, readCandlesCsv, type CsvNotice } from '../../../adapters/market/csv-source.js';
import { CsvFormatError } from '../../../adapters/market/errors.js';
import { validateCandles } from '../../../core/market/validate.js';

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

  const HEADER = 'timestamp,open,high,low,close,volume';
  const HOUR = 3_600_000;
  const row = (time: number | string, close = 1.5): string => `${time},1,2,0.5,${close},10`;

  it('drops rows repeated identically, with a notice naming their lines', () => {
    const notices: CsvNotice[] = [];
    const text = [HEADER, row(T17), row(T18), row(T17), row(T18)].join('\n');

    const candles = parseCandlesCsv(text, 'twice.csv', { onNotice: (n) => notices.push(n) });

    assert.deepEqual(
      candles.map((c) => c.openTime),
      [T17, T18],
    );
    assert.equal(notices.length, 1);
    assert.equal(notices[0]?.kind, 'duplicates_dropped');
    assert.equal(notices[0]?.count, 2);
    assert.match(notices[0]?.message ?? '', /twice\.csv: dropped 2 row\(s\).*lines 4, 5/);
  });

  it('refuses rows that share a time but disagree, naming both lines', () => {
    const text = [HEADER, row(T17), row(T18), row(T17, 1.75)].join('\n');
    assert.throws(
      () => parseCandlesCsv(text, 'clash.csv'),
      (error: unknown) =>
        error instanceof CsvFormatError &&
        error.line === 4 &&
        /repeats line 2 with other values \(close 1\.5 vs 1\.75\)/.test(error.message),
    );
  });

  it('keeps only the last history_days before the newest candle, so an old outage is left out', () => {
    // A year-old stretch with a 30-hour outage, then 3 clean days.
    const end = Date.UTC(2024, 5, 1);
    const old = Array.from({ length: 10 }, (_, k) =>
      row(end - 365 * 24 * HOUR + (k < 5 ? k : k + 30) * HOUR),
    );
    const recent = Array.from({ length: 72 }, (_, k) => row(end - (71 - k) * HOUR));
    const notices: CsvNotice[] = [];

    const candles = parseCandlesCsv([HEADER, ...old, ...recent].join('\n'), 'long.csv', {
      timeframeMs: HOUR,
      historyDays: 2,
      onNotice: (n) => notices.push(n),
    });

    assert.equal(candles.length, 48);
    assert.equal(candles[0]?.openTime, end - 47 * HOUR);
    assert.equal(candles.at(-1)?.openTime, end);
    assert.deepEqual(
      validateCandles(candles, HOUR, { gapPolicy: 'fail', maxFillGap: 0 }).report.filledCount,
      0,
    );
    assert.deepEqual(
      notices.map((n) => [n.kind, n.count]),
      [['history_cut', 34]],
    );
  });

  it('refuses nanosecond, negative and off-grid times, naming the row', () => {
    const cases: Array<[string, RegExp]> = [
      [row(T17 * 1_000_000), /:3: time "\d+" looks like nanoseconds/],
      [row(-3600), /:3: time "-3600" is negative/],
      ['1969-12-31 23:00:00,1,2,0.5,1.5,10', /:3: time "1969-12-31 23:00:00" is before 1970/],
      [
        row(T18 + 30 * 60_000),
        /:3: open time 2021-03-06T18:30:00\.000Z is 1800000 ms off the 3600000 ms candle grid/,
      ],
    ];
    for (const [bad, expected] of cases) {
      const text = [HEADER, row(T17), bad].join('\n');
      assert.throws(
        () => parseCandlesCsv(text, 'times.csv', { timeframeMs: HOUR }),
        (error: unknown) =>
          error instanceof CsvFormatError && error.line === 3 && expected.test(error.message),
        bad,
      );
    }
  });

  it('still reads microsecond times (Binance spot files since 2025)', () => {
    const text = [HEADER, row(T17 * 1_000), row(T18 * 1_000)].join('\n');
    assert.deepEqual(
      parseCandlesCsv(text, 'us.csv', { timeframeMs: HOUR }).map((c) => c.openTime),
      [T17, T18],
    );
  });
});
