import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Config, Pair } from '../../../core/config/index.js';
import { HOUR_MS, type Candle } from '../../../core/market/index.js';
import { generateCandles, startFakeExchange, type FakeExchange } from '../../../local/fake-exchange/index.js';
import { createLog, type Log } from '../../../training-image/src/log.js';
import { cutToCommonHours } from '../../../training-image/src/pipeline/panel-align.js';
import {
  PanelAlignmentError,
  PanelInputError,
  PanelLoadError,
  PanelRangeError,
} from '../../../training-image/src/pipeline/panel-errors.js';
import { loadPanel, type Panel } from '../../../training-image/src/pipeline/panel.js';
import { writeCandlesCsv } from '../../support/candles-csv.js';
import { smallConfig } from '../../support/small-config.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (hour: number): number => T0 + hour * HOUR_MS;

/** `count` hourly candles of a seeded walk opening at hour `first` after T0. */
function walk(first: number, count: number, seed: number): Candle[] {
  return generateCandles({ seed, start: at(first), startPrice: 100, count });
}

/** A log that keeps its lines, for tests that check what was said. */
function recordingLog(): { log: Log; lines: string[]; events: string[] } {
  const lines: string[] = [];
  const events: string[] = [];
  const log = createLog('json', (line) => {
    lines.push(line);
    events.push((JSON.parse(line) as { event: string }).event);
  });
  return { log, lines, events };
}

function assertAligned(panel: Panel, hours: number): void {
  for (const series of panel.series) {
    assert.equal(series.candles.length, hours, `${series.pair}: length`);
    series.candles.forEach((candle, k) =>
      assert.equal(candle.openTime, panel.from + k * HOUR_MS, `${series.pair}: candle ${k}`),
    );
  }
  assert.equal(panel.to, panel.from + (hours - 1) * HOUR_MS);
}

describe('loadPanel from files', () => {
  let dir: string;
  let config: Config;
  const file = (name: string): string => join(dir, name);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'panel-'));
    // 30 days: no file below is cut by market.history_days, which the last test checks on its own.
    config = smallConfig({ market: { history_days: 30 } });
    await writeCandlesCsv(file('full.csv'), walk(0, 400, 1)); // hours 0..399
    await writeCandlesCsv(file('late.csv'), walk(50, 350, 2)); // starts later: 50..399
    await writeCandlesCsv(file('early-end.csv'), walk(0, 380, 3)); // ends earlier: 0..379
    // Hours 200..202 missing: 3 candles, under max_fill_gap (6), filled with flat candles.
    await writeCandlesCsv(
      file('gap.csv'),
      walk(0, 400, 4).filter((c) => c.openTime < at(200) || c.openTime > at(202)),
    );
    // Hours 100..109 missing: longer than max_fill_gap, refused by validation.
    await writeCandlesCsv(
      file('long-gap.csv'),
      walk(0, 400, 5).filter((c) => c.openTime < at(100) || c.openTime > at(109)),
    );
    await writeFile(file('garbage.csv'), 'when,what\nyesterday,a lot\n');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('cuts every pair to the hours all of them have, with the same open times', async () => {
    // Prepare
    const pairs: Pair[] = ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT', 'SOL/USDT'];
    const files = ['full.csv', 'late.csv', 'early-end.csv', 'gap.csv'].map(file);
    const { log, lines } = recordingLog();

    // Act
    const panel = await loadPanel(config, pairs, { candlesFiles: files }, log);

    // Assess: the latest start (50) to the earliest end (379)
    assert.deepEqual(panel.failed, []);
    assert.equal(panel.from, at(50));
    assert.equal(panel.to, at(379));
    assertAligned(panel, 330);
    assert.deepEqual(
      panel.series.map((series) => series.pair),
      pairs,
    );
    // The gap was filled as loadCandles fills it, and its candles are in the cut
    const gap = panel.series[3];
    assert.equal(gap?.report.filledCount, 3);
    assert.deepEqual(
      gap?.candles.filter((c) => c.volume === 0).map((c) => c.openTime),
      [at(200), at(201), at(202)],
    );
    // The report is the pair's own, before the cut; source names the file
    assert.equal(panel.series[0]?.report.first, at(0));
    assert.equal(panel.series[0]?.report.last, at(399));
    assert.deepEqual(panel.series[1]?.source, { kind: 'file', path: file('late.csv') });
    // The log says the common range and what each pair lost to the cut
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const range = logged.find((line) => line['event'] === 'panel_range');
    assert.equal(range?.['from'], new Date(at(50)).toISOString());
    assert.equal(range?.['to'], new Date(at(379)).toISOString());
    assert.equal(range?.['candles'], 330);
    const cuts = logged.filter((line) => line['event'] === 'panel_cut');
    assert.deepEqual(
      cuts.map((line) => [line['pair'], line['lost_before'], line['lost_after']]),
      [
        ['BTC/USDT', 50, 20],
        ['ETH/USDT', 0, 20],
        ['CHZ/USDT', 50, 0],
        ['SOL/USDT', 50, 20],
      ],
    );
  });

  it('leaves out a pair whose file is invalid, names it with its reason, and loads the others', async () => {
    // Prepare
    const pairs: Pair[] = ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT'];
    const files = ['full.csv', 'long-gap.csv', 'late.csv'].map(file);
    const { log, lines } = recordingLog();

    // Act
    const panel = await loadPanel(config, pairs, { candlesFiles: files }, log);

    // Assess
    assert.deepEqual(
      panel.series.map((series) => series.pair),
      ['BTC/USDT', 'CHZ/USDT'],
    );
    assert.equal(panel.failed.length, 1);
    assert.equal(panel.failed[0]?.pair, 'ETH/USDT');
    assert.equal(panel.failed[0]?.error.name, 'CandleValidationError');
    assert.match(panel.failed[0]?.reason ?? '', /long-gap\.csv ETH\/USDT/);
    assert.match(panel.failed[0]?.reason ?? '', /10 candle\(s\) missing.*max_fill_gap/);
    assert.ok(
      lines.some((line) => line.includes('"event":"panel_pair_failed"') && line.includes('ETH/USDT')),
    );
    // The failed pair does not shape the range
    assert.equal(panel.from, at(50));
    assert.equal(panel.to, at(399));
    assertAligned(panel, 350);
  });

  it('throws naming every pair and its reason when no pair loads', async () => {
    const pairs: Pair[] = ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT'];
    const files = ['long-gap.csv', 'garbage.csv', 'missing.csv'].map(file);

    await assert.rejects(
      loadPanel(config, pairs, { candlesFiles: files }, recordingLog().log),
      (error: unknown) => {
        assert.ok(error instanceof PanelLoadError);
        assert.deepEqual(
          error.failures.map((failure) => failure.pair),
          pairs,
        );
        assert.match(error.message, /no pair's candles could be loaded \(3 pair\(s\)\)/);
        assert.match(error.message, /- BTC\/USDT: Invalid candles from file .*long-gap\.csv/);
        assert.match(error.message, /- ETH\/USDT: .*garbage\.csv.*unknown header/);
        assert.match(error.message, /- CHZ\/USDT: .*ENOENT.*missing\.csv/);
        return true;
      },
    );
  });

  it('refuses as many files as pairs not given, saying how to give them', async () => {
    await assert.rejects(
      loadPanel(config, ['ETH/USDT', 'BNB/USDT'], { candlesFiles: [file('full.csv')] }, recordingLog().log),
      (error: unknown) => {
        assert.ok(error instanceof PanelInputError);
        assert.equal(
          error.message,
          '1 candle file(s) for 2 pair(s) (ETH/USDT, BNB/USDT): give one CSV file per pair, in the order of ' +
            'the pairs, for example --candles eth_usdt.csv,bnb_usdt.csv --pairs ETH/USDT,BNB/USDT',
        );
        return true;
      },
    );
  });

  it('refuses a pair given twice, and no pairs', async () => {
    await assert.rejects(
      loadPanel(config, ['ETH/USDT', 'ETH/USDT'], {}, recordingLog().log),
      /ETH\/USDT is given twice/,
    );
    await assert.rejects(loadPanel(config, [], {}, recordingLog().log), /at least one pair/);
  });

  it('says which pairs share no hour', async () => {
    // Prepare: CHZ ends at hour 379, after which NEW starts
    const newer = file('newer.csv');
    await writeCandlesCsv(newer, walk(390, 100, 6));

    // Act, Assess
    await assert.rejects(
      loadPanel(
        config,
        ['CHZ/USDT', 'NEW/USDT'],
        { candlesFiles: [file('early-end.csv'), newer] },
        recordingLog().log,
      ),
      (error: unknown) => {
        assert.ok(error instanceof PanelRangeError);
        assert.match(
          error.message,
          /share no hour: NEW\/USDT starts at 2026-01-17T06:00:00.000Z, after CHZ\/USDT ends at 2026-01-16T19:00:00.000Z/,
        );
        assert.match(
          error.message,
          /market\.history_days, 30, counts each file back from its own last candle/,
        );
        return true;
      },
    );
  });

  it('warns when history_days, counted from one file’s own end, starts the panel late', async () => {
    // Prepare: 10 days (240 hours) cut full.csv (0..399) to 160..399; early-end.csv (0..379) to 140..379
    const { log, lines } = recordingLog();

    // Act
    const panel = await loadPanel(
      smallConfig({ market: { history_days: 10 } }),
      ['BTC/USDT', 'CHZ/USDT'],
      { candlesFiles: [file('full.csv'), file('early-end.csv')] },
      log,
    );

    // Assess
    assert.equal(panel.from, at(160));
    assert.equal(panel.to, at(379));
    assertAligned(panel, 220);
    const warning = lines.find((line) => line.includes('"event":"panel_history_cut"'));
    assert.ok(warning, 'a panel_history_cut warning');
    assert.match(warning, /"pair":"BTC\/USDT"/);
    assert.match(warning, /"older_pairs":\["CHZ\/USDT"\]/);
  });
});

describe('cutToCommonHours', () => {
  it('names the pair and the first hour a series lacks inside the common range', () => {
    const holey = walk(0, 100, 2).filter((c) => c.openTime !== at(40));

    assert.throws(
      () =>
        cutToCommonHours(
          [
            { pair: 'BTC/USDT', candles: walk(0, 100, 1) },
            { pair: 'ETH/USDT', candles: holey },
          ],
          HOUR_MS,
        ),
      (error: unknown) => {
        assert.ok(error instanceof PanelAlignmentError);
        assert.equal(error.pair, 'ETH/USDT');
        assert.equal(error.openTime, at(40));
        assert.match(
          error.message,
          /^ETH\/USDT: .* at 2026-01-02T16:00:00.000Z \(expected a candle opened at/,
        );
        return true;
      },
    );
  });

  it('names a candle off the grid', () => {
    const off = walk(0, 10, 2).map((c, k) => (k === 5 ? { ...c, openTime: c.openTime + 60_000 } : c));

    assert.throws(
      () => cutToCommonHours([{ pair: 'ETH/USDT', candles: off }], HOUR_MS),
      (error: unknown) => error instanceof PanelAlignmentError && error.openTime === at(5),
    );
  });
});

describe('loadPanel from the exchange', () => {
  let exchange: FakeExchange;
  let config: Config;

  before(async () => {
    // History only from 20 days back, so the fake exchange generates no more than it serves.
    exchange = await startFakeExchange({ seed: 11, listedAt: Date.now() - 20 * 86_400_000 });
    config = smallConfig({
      pairs: ['BTC/USDT', 'ETH/USDT'],
      exchange: { url: exchange.url, max_retries: 0 },
      market: { history_days: 5 },
    });
  });

  after(async () => {
    await exchange.close();
  });

  it('loads every pair for the same hours and leaves out one the exchange does not list', async () => {
    // Act: XRP/USDT is not one of the fake exchange's markets
    const panel = await loadPanel(config, ['BTC/USDT', 'XRP/USDT', 'ETH/USDT'], {}, recordingLog().log);

    // Assess
    assert.deepEqual(
      panel.series.map((series) => series.pair),
      ['BTC/USDT', 'ETH/USDT'],
    );
    assert.deepEqual(panel.series[0]?.source, { kind: 'exchange', exchange: 'binance', url: exchange.url });
    assert.equal(panel.failed[0]?.pair, 'XRP/USDT');
    assert.match(panel.failed[0]?.reason ?? '', /XRP\/USDT/);
    // 5 days is 120 closed candles for each pair; one fewer in common if an hour closed between the
    // two fetches (each counts back from its own now).
    const hours = (panel.to - panel.from) / HOUR_MS + 1;
    assert.ok(hours === 120 || hours === 119, `${hours} common hours`);
    assertAligned(panel, hours);
    // The pairs are different markets, not one series twice
    assert.notEqual(panel.series[0]?.candles[0]?.close, panel.series[1]?.candles[0]?.close);
  });
});
