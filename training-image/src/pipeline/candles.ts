import type { Config, Pair } from '../../../core/config/index.js';
import {
  timeframeToMs,
  validateCandles,
  type Candle,
  type ValidationReport,
} from '../../../core/market/index.js';
import { CcxtCandleSource, readCandlesCsv } from '../../../adapters/market/index.js';
import { describeDataSource, type DataSource } from '../../../core/metrics/index.js';
import type { Log } from '../log.js';

export interface CandleInput {
  /** A CSV file to read instead of the exchange (ccxt, Binance kline or CryptoDataDownload layout). */
  readonly candlesFile?: string | undefined;
}

export interface LoadedCandles {
  readonly candles: Candle[];
  /** Where they came from, for metrics.json and the logs (describeDataSource). */
  readonly source: DataSource;
  readonly report: ValidationReport;
}

/** The run's candles: from a file, or the last `history_days` from the exchange; validated and gap-repaired. */
export async function loadCandles(
  config: Config,
  pair: Pair,
  input: CandleInput,
  log: Log,
): Promise<LoadedCandles> {
  const timeframeMs = timeframeToMs(config.market.interval);
  let raw: Candle[];
  let source: DataSource;
  if (input.candlesFile !== undefined) {
    source = { kind: 'file', path: input.candlesFile };
    // Cut to history_days as the exchange path is, so an outage long before the window does not stop the run.
    raw = await readCandlesCsv(input.candlesFile, {
      timeframeMs,
      historyDays: config.market.history_days,
      onNotice: (notice) => log.warn(`candles_${notice.kind}`, notice.message, { pair, rows: notice.count }),
    });
  } else {
    source = { kind: 'exchange', exchange: config.exchange.id, url: config.exchange.url };
    const exchange = new CcxtCandleSource(config.exchange, {
      timeframe: config.market.interval,
      onRetry: (notice) =>
        log.warn(
          'exchange_retry',
          `exchange: ${notice.action} failed (attempt ${notice.attempt}), retrying`,
          {
            pair: notice.pair,
            attempt: notice.attempt,
            retries_left: notice.retriesLeft,
            reason: notice.error.message,
          },
        ),
    });
    raw = await exchange.fetchDays(pair, config.market.history_days, {
      onProgress: (p) => log.info('fetch_progress', `fetched ${p.fetched}/${p.expected} candles`, { ...p }),
    });
  }
  const { candles, report } = validateCandles(raw, timeframeMs, {
    gapPolicy: config.market.gap_policy,
    maxFillGap: config.market.max_fill_gap,
    source: `${describeDataSource(source)} ${pair}`,
  });
  return { candles, source, report };
}
