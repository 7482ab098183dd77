import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { ExchangeConfig } from '../../../core/config/schema.js';
import { HOUR_MS } from '../../../core/market/candle.js';
import { CcxtCandleSource, RATE_LIMIT_BURST, createExchange } from '../../../adapters/market/ccxt-source.js';
import type { FetchProgress } from '../../../adapters/market/ccxt-source.js';
import { CandleValidationError } from '../../../core/market/errors.js';
import { ExchangeError, UnknownExchangeError } from '../../../adapters/market/errors.js';
import { validateCandles } from '../../../core/market/validate.js';
import { startFakeExchange } from '../../../local/fake-exchange/index.js';
import type { FakeExchange } from '../../../local/fake-exchange/index.js';

// 2024-06-01 12:30 UTC: the candle opened at 12:00 is in progress, 11:00 is the last closed one.
const NOW = Date.UTC(2024, 5, 1, 12, 30);
const IN_PROGRESS = Date.UTC(2024, 5, 1, 12);
const LAST_CLOSED = IN_PROGRESS - HOUR_MS;

function exchangeConfig(url: string, changes: Partial<ExchangeConfig> = {}): ExchangeConfig {
  return { id: 'binance', url, timeout_ms: 2_000, max_retries: 2, retry_base_ms: 1, ...changes };
}

function klineRequests(exchange: FakeExchange): URLSearchParams[] {
  return exchange.requests
    .filter((path) => path.startsWith('/api/v3/klines'))
    .map((path) => new URL(path, 'http://x').searchParams);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

describe('CcxtCandleSource against the fake exchange', () => {
  let exchange: FakeExchange;

  before(async () => {
    exchange = await startFakeExchange({ seed: 42, now: () => NOW });
  });

  beforeEach(() => {
    exchange.setFaults({ failNext: 0, failPath: null, delayMs: 0, dropOpenTimes: [], retryAfterSeconds: 0 });
    exchange.requests.length = 0;
  });

  after(async () => {
    await exchange.close();
  });

  const source = (changes: Partial<ExchangeConfig> = {}) =>
    new CcxtCandleSource(exchangeConfig(exchange.url, changes), { now: () => NOW });

  it('pages through 2500 hours in requests of at most 1000, closed candles only', async () => {
    // Prepare
    const progress: FetchProgress[] = [];

    // Act
    const candles = await source().fetchLast('BTC/USDT', 2500, { onProgress: (p) => progress.push(p) });

    // Assess
    assert.equal(candles.length, 2500);
    assert.equal(candles.at(-1)?.openTime, LAST_CLOSED, 'the in-progress 12:00 candle is left out');
    assert.equal(candles[0]?.openTime, LAST_CLOSED - 2499 * HOUR_MS);
    candles.forEach((candle, k) => {
      if (k > 0) assert.equal(candle.openTime - (candles[k - 1]?.openTime ?? 0), HOUR_MS);
    });
    const pages = klineRequests(exchange);
    assert.deepEqual(
      pages.map((query) => query.get('limit')),
      ['1000', '1000', '500'],
    );
    assert.deepEqual(
      pages.map((query) => Number(query.get('startTime'))),
      [candles[0]?.openTime, candles[1000]?.openTime, candles[2000]?.openTime],
    );
    assert.deepEqual(
      exchange.requests.filter((path) => !path.startsWith('/api/v3/klines')),
      ['/api/v3/exchangeInfo'],
      'loadMarkets reads exchangeInfo only',
    );
    assert.deepEqual(progress, [
      { fetched: 1000, expected: 2500 },
      { fetched: 2000, expected: 2500 },
      { fetched: 2500, expected: 2500 },
    ]);
  });

  it('returns the prices the exchange serves, as numbers', async () => {
    const [candle] = await source().fetchRange('BTC/USDT', LAST_CLOSED, LAST_CLOSED + HOUR_MS);
    const response = await fetch(
      `${exchange.url}/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${LAST_CLOSED}&limit=1`,
    );
    const [row] = (await response.json()) as string[][];

    assert.deepEqual(candle, {
      openTime: LAST_CLOSED,
      open: Number(row?.[1]),
      high: Number(row?.[2]),
      low: Number(row?.[3]),
      close: Number(row?.[4]),
      volume: Number(row?.[5]),
    });
  });

  it('fetches [start, end) and never the candle in progress', async () => {
    const start = IN_PROGRESS - 3 * HOUR_MS;

    const range = await source().fetchRange('ETH/USDT', start, start + 2 * HOUR_MS);
    const past = await source().fetchRange('ETH/USDT', start, IN_PROGRESS + 5 * HOUR_MS);

    assert.deepEqual(
      range.map((c) => c.openTime),
      [start, start + HOUR_MS],
    );
    assert.deepEqual(
      past.map((c) => c.openTime),
      [start, start + HOUR_MS, start + 2 * HOUR_MS],
    );
  });

  it('fetches whole days', async () => {
    const candles = await source().fetchDays('CHZ/USDT', 2);
    assert.equal(candles.length, 48);
    assert.equal(candles.at(-1)?.openTime, LAST_CLOSED);
  });

  it('leaves out a candle that is not closed when the clock is just before its end', async () => {
    const justBefore = IN_PROGRESS - 1;
    const candles = await new CcxtCandleSource(exchangeConfig(exchange.url), {
      now: () => justBefore,
    }).fetchLast('BTC/USDT', 2);
    assert.deepEqual(
      candles.map((c) => c.openTime),
      [LAST_CLOSED - 2 * HOUR_MS, LAST_CLOSED - HOUR_MS],
    );
  });

  it('retries after a 429 and succeeds', async () => {
    exchange.setFaults({ failNext: 1, failStatus: 429, failPath: '/api/v3/klines' });
    const retries: number[] = [];

    const candles = await new CcxtCandleSource(exchangeConfig(exchange.url), {
      now: () => NOW,
      onRetry: (notice) => retries.push(notice.attempt),
    }).fetchLast('BTC/USDT', 10);

    assert.equal(candles.length, 10);
    assert.equal(klineRequests(exchange).length, 2, 'the refused request and its retry');
    assert.deepEqual(retries, [1]);
  });

  it('retries a failed loadMarkets, which ccxt would otherwise keep failing from its cache', async () => {
    exchange.setFaults({ failNext: 1, failStatus: 503, failPath: '/api/v3/exchangeInfo' });

    const candles = await source().fetchLast('BTC/USDT', 3);

    assert.equal(candles.length, 3);
    assert.deepEqual(
      exchange.requests.filter((path) => path === '/api/v3/exchangeInfo'),
      ['/api/v3/exchangeInfo', '/api/v3/exchangeInfo'],
    );
  });

  it('waits the Retry-After of a 429 before retrying', async () => {
    exchange.setFaults({ failNext: 1, failStatus: 429, retryAfterSeconds: 1, failPath: '/api/v3/klines' });
    const started = performance.now();

    await source().fetchLast('BTC/USDT', 1);

    assert.ok(performance.now() - started >= 1_000);
  });

  it('stops at once when Retry-After is longer than it is willing to wait', async () => {
    exchange.setFaults({ failNext: 1, failStatus: 418, retryAfterSeconds: 120, failPath: '/api/v3/klines' });
    const impatient = new CcxtCandleSource(exchangeConfig(exchange.url), {
      now: () => NOW,
      maxRetryAfterMs: 10,
    });

    const error = await rejection(impatient.fetchLast('BTC/USDT', 1));

    assert.ok(error instanceof ExchangeError);
    assert.equal(error.attempts, 1);
    assert.equal(error.transient, true);
    assert.equal(error.httpStatus, 418);
  });

  it('gives up after persistent 500s with an ExchangeError naming exchange, pair and cause', async () => {
    exchange.setFaults({ failNext: Number.POSITIVE_INFINITY, failStatus: 500, failPath: '/api/v3/klines' });

    const error = await rejection(source({ max_retries: 3 }).fetchLast('BTC/USDT', 10));

    assert.ok(error instanceof ExchangeError, String(error));
    assert.equal(error.exchangeId, 'binance');
    assert.equal(error.pair, 'BTC/USDT');
    assert.equal(error.transient, true);
    assert.equal(error.attempts, 4);
    assert.equal(error.httpStatus, 500);
    assert.match(
      error.message,
      /^binance BTC\/USDT: could not fetch 1h candles from .* after 4 attempts \(HTTP 500/,
    );
    assert.match(error.message, /An unknown error occurred/, 'the exchange message is in it');
    assert.ok(error.cause instanceof Error);
    assert.equal(klineRequests(exchange).length, 4, 'the first request and 3 retries');
  });

  it('does not retry an unknown pair', async () => {
    const error = await rejection(source().fetchLast('XRP/USDT', 10));

    assert.ok(error instanceof ExchangeError, String(error));
    assert.equal(error.pair, 'XRP/USDT');
    assert.equal(error.transient, false);
    assert.equal(error.attempts, 1);
    assert.match(error.message, /binance XRP\/USDT: .*BadSymbol/);
    assert.equal(klineRequests(exchange).length, 0);
  });

  it('retries a timeout, then reports the exchange unavailable', async () => {
    exchange.setFaults({ delayMs: 300 });

    const error = await rejection(source({ timeout_ms: 50, max_retries: 1 }).fetchLast('BTC/USDT', 1));

    assert.ok(error instanceof ExchangeError, String(error));
    assert.equal(error.transient, true);
    assert.equal(error.attempts, 2);
    assert.equal(
      error.pair,
      'BTC/USDT',
      'the pair being fetched is named even when loading the markets failed',
    );
    assert.match(error.message, /RequestTimeout/);
  });

  it('gets fewer candles across a gap, and validation reports it', async () => {
    const hole = LAST_CLOSED - 5 * HOUR_MS;
    exchange.setFaults({ dropOpenTimes: [hole] });

    const candles = await source().fetchLast('BTC/USDT', 24);

    assert.equal(candles.length, 23);
    assert.ok(!candles.some((c) => c.openTime === hole));
    const error = (() => {
      try {
        validateCandles(candles, HOUR_MS, { gapPolicy: 'fail', maxFillGap: 0 });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof CandleValidationError);
    assert.deepEqual(
      error.problems.map((p) => [p.kind, p.openTime]),
      [['gap', hole]],
    );
    const filled = validateCandles(candles, HOUR_MS, { gapPolicy: 'fill', maxFillGap: 3 });
    assert.equal(filled.candles.length, 24);
    assert.equal(filled.report.filledCount, 1);
  });
});

describe('CcxtCandleSource without a server', () => {
  it('reports an unreachable exchange as transient after its retries', async () => {
    // Port 9 (discard) is closed on loopback: the connection is refused at once.
    const source = new CcxtCandleSource(exchangeConfig('http://127.0.0.1:9', { max_retries: 1 }), {
      now: () => NOW,
    });

    const error = await rejection(source.fetchLast('BTC/USDT', 1));

    assert.ok(error instanceof ExchangeError, String(error));
    assert.equal(error.transient, true);
    assert.equal(error.attempts, 2);
    assert.equal(error.httpStatus, undefined);
    assert.match(error.message, /^binance BTC\/USDT: could not load the markets after 2 attempts/);
  });
});

describe('createExchange', () => {
  it('builds any ccxt exchange with the rate limiter on and the configured timeout', async () => {
    const exchange = await createExchange({
      id: 'kraken',
      url: null,
      timeout_ms: 1234,
      max_retries: 0,
      retry_base_ms: 1,
    });

    assert.equal(exchange.id, 'kraken');
    assert.equal(exchange.enableRateLimit, true);
    assert.equal(exchange.timeout, 1234);
    assert.equal((exchange.urls['api'] as Record<string, string>)['public'], 'https://api.kraken.com');
  });

  it('lets a new exchange make RATE_LIMIT_BURST + 1 requests at once, then spaces them at its rate', async () => {
    // Prepare
    const exchange = await createExchange(exchangeConfig('http://127.0.0.1:1'));
    let passed = 0;

    // Act: one more cost-1 request than the burst and the one a bucket at 0 lets through
    const waits = Array.from({ length: RATE_LIMIT_BURST + 2 }, () =>
      exchange.throttle(1).then(() => (passed += 1)),
    );
    await new Promise((resolve) => setImmediate(resolve));

    // Assess: the last one waits for the bucket to refill (rateLimit ms, 50 for Binance)
    assert.equal(passed, RATE_LIMIT_BURST + 1);
    assert.ok((exchange.rateLimit ?? 0) >= 10, `rateLimit ${exchange.rateLimit} ms`);
    await Promise.all(waits);
    assert.equal(passed, RATE_LIMIT_BURST + 2);
  });

  it('moves every REST endpoint to the given URL, keeping the paths', async () => {
    const exchange = await createExchange(exchangeConfig('http://127.0.0.1:8081/'));
    const api = exchange.urls['api'] as Record<string, string>;

    assert.equal(api['public'], 'http://127.0.0.1:8081/api/v3');
    assert.equal(api['fapiPublic'], 'http://127.0.0.1:8081/fapi/v1');
    assert.ok(Object.values(api).every((url) => typeof url !== 'string' || !url.includes('binance.com')));
  });

  it('refuses an id that is not a ccxt exchange, and suggests a near one', async () => {
    await assert.rejects(
      createExchange(exchangeConfig('http://127.0.0.1:1', { id: 'binanse' })),
      (error: unknown) =>
        error instanceof UnknownExchangeError &&
        error.exchangeId === 'binanse' &&
        error.suggestions.includes('binance') &&
        /"binanse" is not a ccxt exchange id/.test(error.message),
    );
  });
});
