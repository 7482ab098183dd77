import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUR_MS, type Candle } from '../../core/market/index.js';
import { CandleCache, type CandleProvider } from '../../serving/index.js';

/** Closed candles up to the clock's hour, and every call recorded. */
function exchangeAt(clock: { now: number }) {
  const calls: { pair: string; count: number }[] = [];
  let failure: Error | null = null;
  let lag = 0;
  const provider: CandleProvider = {
    fetchLast: async (pair, count) => {
      calls.push({ pair, count });
      await new Promise((resolve) => setImmediate(resolve));
      if (failure !== null) throw failure;
      const lastClosed = Math.floor(clock.now / HOUR_MS) * HOUR_MS - HOUR_MS - lag * HOUR_MS;
      return Array.from({ length: count }, (_, i): Candle => {
        const openTime = lastClosed - (count - 1 - i) * HOUR_MS;
        return { openTime, open: 1, high: 2, low: 0.5, close: openTime / HOUR_MS, volume: 1 };
      });
    },
  };
  return {
    provider,
    calls,
    fail: (error: Error | null) => (failure = error),
    lagBy: (hours: number) => (lag = hours),
  };
}

const T = Date.UTC(2026, 10, 26, 10, 15);

/** An hourly cache on the fake exchange, both on a clock the test moves (starting at T). */
function hourlyCache() {
  const clock = { now: T };
  const exchange = exchangeAt(clock);
  const cache = new CandleCache({ provider: exchange.provider, timeframeMs: HOUR_MS, now: () => clock.now });
  return { clock, exchange, cache };
}

describe('CandleCache', () => {
  it('keeps a pair’s window until the next candle closes', async () => {
    // Prepare
    const { clock, exchange, cache } = hourlyCache();

    // Act / Assess: the same hour, one request
    const first = await cache.fetchLast('BTC/USDT', 5);
    clock.now = T + 44 * 60_000; // 10:59
    assert.deepEqual(await cache.fetchLast('BTC/USDT', 5), first);
    assert.equal(exchange.calls.length, 1);
    // at 11:00 the 10:00 candle has closed: a new request, a window one candle later
    clock.now = Date.UTC(2026, 10, 26, 11);
    const next = await cache.fetchLast('BTC/USDT', 5);
    assert.equal(exchange.calls.length, 2);
    assert.equal(next.at(-1)?.openTime, Date.UTC(2026, 10, 26, 10));
  });

  it('keeps each pair apart and serves a shorter window from a longer one', async () => {
    const { exchange, cache } = hourlyCache();
    const long = await cache.fetchLast('BTC/USDT', 10);
    const short = await cache.fetchLast('BTC/USDT', 4);
    await cache.fetchLast('ETH/USDT', 4);
    assert.deepEqual(short, long.slice(-4));
    assert.deepEqual(exchange.calls, [
      { pair: 'BTC/USDT', count: 10 },
      { pair: 'ETH/USDT', count: 4 },
    ]);
    await cache.fetchLast('BTC/USDT', 20);
    assert.equal(exchange.calls.length, 3, 'a longer window than the one kept is fetched');
  });

  it('shares one request between concurrent callers', async () => {
    const { exchange, cache } = hourlyCache();
    const windows = await Promise.all(Array.from({ length: 5 }, () => cache.fetchLast('BTC/USDT', 6)));
    assert.equal(exchange.calls.length, 1);
    for (const window of windows) assert.deepEqual(window, windows[0]);
  });

  it('keeps no failure: the next caller asks again', async () => {
    const { exchange, cache } = hourlyCache();
    exchange.fail(new Error('exchange down'));
    await assert.rejects(cache.fetchLast('BTC/USDT', 3), /exchange down/);
    exchange.fail(null);
    assert.equal((await cache.fetchLast('BTC/USDT', 3)).length, 3);
    assert.equal(exchange.calls.length, 2);
  });

  it('does not keep a window that lags behind the last closed candle', async () => {
    // Prepare: the exchange has not published the 09:00 candle yet
    const { exchange, cache } = hourlyCache();
    exchange.lagBy(1);

    // Act
    await cache.fetchLast('BTC/USDT', 3);
    exchange.lagBy(0);
    const caughtUp = await cache.fetchLast('BTC/USDT', 3);

    // Assess: asked again, and got the 09:00 candle
    assert.equal(exchange.calls.length, 2);
    assert.equal(caughtUp.at(-1)?.openTime, Date.UTC(2026, 10, 26, 9));
  });
});
