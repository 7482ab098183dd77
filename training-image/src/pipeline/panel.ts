import type { Config, Pair } from '../../../core/config/index.js';
import {
  describeValidationReport,
  timeframeToMs,
  type Candle,
  type ValidationReport,
} from '../../../core/market/index.js';
import { describeDataSource, type DataSource } from '../../../core/metrics/index.js';
import type { Log } from '../log.js';
import { loadCandles } from './candles.js';
import { cutToCommonHours } from './panel-align.js';
import { PanelError, PanelInputError, PanelLoadError, type PanelFailure } from './panel-errors.js';

export type { PanelFailure } from './panel-errors.js';

export interface PanelInput {
  /** CSV files, one per pair, in the order of `pairs`; absent: every pair from the exchange. */
  readonly candlesFiles?: readonly string[] | undefined;
}

export interface PanelSeries {
  readonly pair: Pair;
  /** Cut to the panel's common hours. */
  readonly candles: Candle[];
  readonly source: DataSource;
  /** The validation of the pair's own candles, before the cut: its first and last are the pair's own range. */
  readonly report: ValidationReport;
}

export interface Panel {
  /** Every pair that loaded, its candles cut to the hours every loaded pair has: same length, same open times. */
  readonly series: readonly PanelSeries[];
  /** Pairs whose candles could not be loaded or validated, each with the reason (the others still train). */
  readonly failed: readonly PanelFailure[];
  /** Open time (ms) of the first and last common hour. */
  readonly from: number;
  readonly to: number;
}

/** The event loadCandles logs when market.history_days cut older rows off a file. */
const HISTORY_CUT_EVENT = 'candles_history_cut';

/**
 * Candles of several pairs for the same hours. Each pair's come from loadCandles (the exchange's last
 * market.history_days, or the file given for the pair), validated and gap-filled as for one pair; a pair
 * that fails is left out with its reason and the others go on. The loaded series are cut to the hours all
 * of them have. The common range may be shorter than training needs: the caller checks.
 *
 * Throws PanelInputError for pairs and files that do not pair up, PanelLoadError when no pair loads,
 * PanelRangeError when the loaded pairs share no hour, PanelAlignmentError when a pair lacks a common hour.
 */
export async function loadPanel(
  config: Config,
  pairs: readonly Pair[],
  input: PanelInput,
  log: Log,
): Promise<Panel> {
  checkInput(pairs, input);
  const files = input.candlesFiles;
  const loaded: PanelSeries[] = [];
  const failed: PanelFailure[] = [];
  const historyCut = new Set<Pair>();
  // One pair after the other: the exchange rate-limits, and a pair's year of candles is small.
  for (const [k, pair] of pairs.entries()) {
    const candlesFile = files?.[k];
    const pairLog = onEvent(log, HISTORY_CUT_EVENT, () => historyCut.add(pair));
    try {
      const { candles, source, report } = await loadCandles(config, pair, { candlesFile }, pairLog);
      if (candles.length === 0) throw new PanelError(`no candles from ${describeDataSource(source)}`);
      loaded.push({ pair, candles, source, report });
      log.info('panel_pair', `${pair}: ${describeValidationReport(report)} (${describeDataSource(source)})`, {
        pair,
        candles: candles.length,
        filled: report.filledCount,
      });
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const failure: PanelFailure = { pair, reason: reasonOf(error), error };
      failed.push(failure);
      log.error('panel_pair_failed', `${pair}: left out of the panel: ${failure.reason}`, {
        pair,
        source: candlesFile ?? config.exchange.id,
        reason: failure.reason,
      });
    }
  }
  if (loaded.length === 0) throw new PanelLoadError(failed);

  const timeframeMs = timeframeToMs(config.market.interval);
  const common = cutToCommonHours(loaded, timeframeMs, {
    noOverlapHint:
      files === undefined
        ? ''
        : ` (market.history_days, ${config.market.history_days}, counts each file back from its own last candle)`,
  });
  const left = failed.length === 0 ? '' : `; left out: ${failed.map((failure) => failure.pair).join(', ')}`;
  log.info(
    'panel_range',
    `panel of ${loaded.length} pair(s): ${common.count} common candle(s) from ${iso(common.from)} to ${iso(common.to)}${left}`,
    {
      pairs: loaded.map((series) => series.pair),
      failed: failed.map((failure) => failure.pair),
      from: iso(common.from),
      to: iso(common.to),
      candles: common.count,
    },
  );
  for (const cut of common.cuts) {
    const own = Math.round((cut.last - cut.first) / timeframeMs) + 1;
    log.info(
      'panel_cut',
      `${cut.pair}: own candles ${iso(cut.first)} to ${iso(cut.last)} (${own}); the cut leaves out ` +
        `${cut.lostBefore} before and ${cut.lostAfter} after the common range`,
      {
        pair: cut.pair,
        first: iso(cut.first),
        last: iso(cut.last),
        lost_before: cut.lostBefore,
        lost_after: cut.lostAfter,
      },
    );
  }
  // A file is cut to history_days from its own end: a file that ends later than the others then starts
  // later too, and may start the panel later than the other files' data allow.
  for (const cut of common.cuts) {
    const older = common.cuts.filter((other) => other.first < common.from).map((other) => other.pair);
    if (historyCut.has(cut.pair) && cut.first === common.from && older.length > 0) {
      log.warn(
        'panel_history_cut',
        `${cut.pair}: the panel starts at ${iso(common.from)} because market.history_days ` +
          `(${config.market.history_days}) counts ${cut.pair}'s file back from its own last candle ` +
          `(${iso(cut.last)}); ${older.join(', ')} have older candles, which files ending at the same hour would keep`,
        { pair: cut.pair, from: iso(common.from), older_pairs: older },
      );
    }
  }
  return { series: common.series, failed, from: common.from, to: common.to };
}

/**
 * How to give one CSV file per pair on a command line, with these pairs as the example:
 * `--candles btc_usdt.csv,eth_usdt.csv --pairs BTC/USDT,ETH/USDT`.
 */
export function candleFilesExample(pairs: readonly Pair[]): string {
  const shown = pairs.length > 0 ? pairs : ['BTC/USDT', 'ETH/USDT'];
  const files = shown.map((pair) => `${pair.replace('/', '_').toLowerCase()}.csv`);
  return (
    `give one CSV file per pair, in the order of the pairs, for example ` +
    `--candles ${files.join(',')} --pairs ${shown.join(',')}`
  );
}

function checkInput(pairs: readonly Pair[], input: PanelInput): void {
  if (pairs.length === 0) throw new PanelInputError('no pairs to load: a panel needs at least one pair');
  const repeated = pairs.find((pair, k) => pairs.indexOf(pair) !== k);
  if (repeated !== undefined) throw new PanelInputError(`${repeated} is given twice: give each pair once`);
  const files = input.candlesFiles;
  if (files !== undefined && files.length !== pairs.length) {
    throw new PanelInputError(
      `${files.length} candle file(s) for ${pairs.length} pair(s) (${pairs.join(', ')}): ${candleFilesExample(pairs)}`,
    );
  }
}

/** `log`, also calling `seen` whenever a warning with this event goes through it. */
function onEvent(log: Log, event: string, seen: () => void): Log {
  return {
    info: (name, message, fields) => log.info(name, message, fields),
    warn: (name, message, fields) => {
      if (name === event) seen();
      log.warn(name, message, fields);
    },
    error: (name, message, fields) => log.error(name, message, fields),
  };
}

/** An error as one reason: its message, and its cause's when the message lacks it. */
function reasonOf(error: Error): string {
  return error.cause instanceof Error && !error.message.includes(error.cause.message)
    ? `${error.message}: ${error.cause.message}`
    : error.message;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
