import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';

import { CandleSchema, HOUR_MS } from '../../core/market/candle.js';
import {
  CandleWalk,
  deriveSeed,
  generateCandles,
  startFakeExchange,
} from '../../local/fake-exchange/index.js';
import type { FakeExchange } from '../../local/fake-exchange/index.js';

// 2024-06-01 12:30 UTC: the candle opened at 12:00 is in progress.
const NOW = Date.UTC(2024, 5, 1, 12, 30);
const NOON = Date.UTC(2024, 5, 1, 12);

type Kline = [number, string, string, string, string, string, number, string, number, string, string, string];

async function getJson(
  exchange: FakeExchange,
  path: string,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${exchange.url}${path}`);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

async function klines(exchange: FakeExchange, query: string): Promise<Kline[]> {
  const { status, body } = await getJson(exchange, `/api/v3/klines?${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body as Kline[];
}

describe('generateCandles', () => {
  it('gives the same candles for the same seed, and other candles for another seed', () => {
    // Prepare
    const options = { seed: 7, start: NOON, count: 50, startPrice: 30_000, timeframeMs: HOUR_MS };

    // Act
    const first = generateCandles(options);
    const again = generateCandles(options);
    const other = generateCandles({ ...options, seed: 8 });

    // Assess
    assert.deepEqual(first, again);
    assert.notDeepEqual(first, other);
  });

  it('makes consecutive, plausible candles starting at the start price', () => {
    const candles = generateCandles({
      seed: 1,
      start: NOON,
      count: 2000,
      startPrice: 30_000,
      timeframeMs: HOUR_MS,
    });

    assert.equal(candles.length, 2000);
    assert.equal(candles[0]?.open, 30_000);
    candles.forEach((candle, k) => {
      CandleSchema.parse(candle);
      assert.equal(candle.openTime, NOON + k * HOUR_MS);
      assert.ok(candle.low > 0 && candle.low <= Math.min(candle.open, candle.close), `low of candle ${k}`);
      assert.ok(candle.high >= Math.max(candle.open, candle.close), `high of candle ${k}`);
      assert.ok(candle.volume > 0);
      if (k > 0) assert.equal(candle.open, candles[k - 1]?.close, 'open is the previous close');
      // BTC-like: within a broad band around 30000, two decimals.
      assert.ok(candle.close > 15_000 && candle.close < 60_000, `close ${candle.close}`);
      assert.equal(candle.close, Number(candle.close.toFixed(2)));
    });
  });

  it('keeps small prices precise', () => {
    const [candle] = generateCandles({ seed: 1, start: 0, count: 1, startPrice: 0.1 });
    assert.equal(candle?.open, 0.1);
    assert.ok((candle?.close ?? 0) > 0.09 && (candle?.close ?? 0) < 0.11);
  });
});

describe('fake exchange', () => {
  let exchange: FakeExchange;

  before(async () => {
    exchange = await startFakeExchange({ seed: 42, now: () => NOW });
  });

  after(async () => {
    await exchange.close();
  });

  it('listens on a free loopback port', () => {
    assert.ok(exchange.port > 0);
    assert.equal(exchange.url, `http://127.0.0.1:${exchange.port}`);
  });

  it('answers ping and time with its own clock', async () => {
    assert.deepEqual((await getJson(exchange, '/api/v3/ping')).body, {});
    assert.deepEqual((await getJson(exchange, '/api/v3/time')).body, { serverTime: NOW });
  });

  it('lists the configured spot markets in exchangeInfo', async () => {
    const { body } = await getJson(exchange, '/api/v3/exchangeInfo');
    const symbols = (
      body as { symbols: { symbol: string; baseAsset: string; quoteAsset: string; status: string }[] }
    ).symbols;
    assert.deepEqual(
      symbols.map((s) => [s.symbol, s.baseAsset, s.quoteAsset, s.status]),
      [
        ['BTCUSDT', 'BTC', 'USDT', 'TRADING'],
        ['ETHUSDT', 'ETH', 'USDT', 'TRADING'],
        ['CHZUSDT', 'CHZ', 'USDT', 'TRADING'],
      ],
    );
  });

  it('answers the latest klines, the in-progress candle last, in Binance 12-field rows', async () => {
    const rows = await klines(exchange, 'symbol=BTCUSDT&interval=1h&limit=3');

    assert.deepEqual(
      rows.map((row) => row[0]),
      [NOON - 2 * HOUR_MS, NOON - HOUR_MS, NOON],
    );
    const last = rows[2] as Kline;
    assert.equal(last.length, 12);
    assert.equal(last[6], NOON + HOUR_MS - 1, 'close time is the last ms of the hour');
    for (const price of last.slice(1, 6)) assert.match(price as string, /^\d+\.\d{8}$/);
    assert.equal(typeof last[8], 'number', 'trades');
    assert.equal(last[11], '0');
  });

  it('serves [startTime, endTime] inclusive, from startTime, at most limit rows', async () => {
    const start = NOON - 10 * HOUR_MS;

    const ranged = await klines(
      exchange,
      `symbol=BTCUSDT&interval=1h&startTime=${start}&endTime=${start + HOUR_MS}`,
    );
    const limited = await klines(exchange, `symbol=BTCUSDT&interval=1h&startTime=${start}&limit=4`);
    const ending = await klines(exchange, `symbol=BTCUSDT&interval=1h&endTime=${start}&limit=2`);

    assert.deepEqual(
      ranged.map((row) => row[0]),
      [start, start + HOUR_MS],
    );
    assert.deepEqual(
      limited.map((row) => row[0]),
      [start, start + HOUR_MS, start + 2 * HOUR_MS, start + 3 * HOUR_MS],
    );
    assert.deepEqual(
      ending.map((row) => row[0]),
      [start - HOUR_MS, start],
    );
  });

  it('gives the same candle whatever the request it comes in', async () => {
    const time = NOON - 100 * HOUR_MS;
    const wide = await klines(
      exchange,
      `symbol=ETHUSDT&interval=1h&startTime=${time - 50 * HOUR_MS}&limit=100`,
    );
    const narrow = await klines(exchange, `symbol=ETHUSDT&interval=1h&startTime=${time}&limit=1`);
    assert.deepEqual(
      wide.find((row) => row[0] === time),
      narrow[0],
    );
  });

  it('gives the same series to another server with the same seed', async () => {
    const twin = await startFakeExchange({ seed: 42, now: () => NOW });
    const other = await startFakeExchange({ seed: 43, now: () => NOW });
    try {
      const query = 'symbol=BTCUSDT&interval=1h&limit=5';
      assert.deepEqual(await klines(twin, query), await klines(exchange, query));
      assert.notDeepEqual(await klines(other, query), await klines(exchange, query));
    } finally {
      await Promise.all([twin.close(), other.close()]);
    }
  });

  it('serves the walk that CandleWalk computes for the symbol and interval', async () => {
    const walk = new CandleWalk({
      seed: deriveSeed(42, 'CHZUSDT:1h'),
      marketSeed: deriveSeed(42, 'market:1h'),
      start: Date.UTC(2020, 0, 1),
      startPrice: 0.1,
      hourlyVolatility: 0.015,
    });
    const k = (NOON - Date.UTC(2020, 0, 1)) / HOUR_MS;
    const expected = walk.candle(k);

    const [row] = await klines(exchange, `symbol=CHZUSDT&interval=1h&startTime=${NOON}&limit=1`);

    assert.deepEqual(row?.slice(0, 6).map(Number), [
      expected.openTime,
      expected.open,
      expected.high,
      expected.low,
      expected.close,
      expected.volume,
    ]);
  });

  it('answers an unknown symbol like Binance: 400 with code -1121', async () => {
    const { status, body } = await getJson(exchange, '/api/v3/klines?symbol=NOPEUSDT&interval=1h');
    assert.equal(status, 400);
    assert.deepEqual(body, { code: -1121, msg: 'Invalid symbol.' });
  });

  it('refuses a bad interval, a missing symbol and a limit above 1000', async () => {
    const interval = await getJson(exchange, '/api/v3/klines?symbol=BTCUSDT&interval=7h');
    const symbol = await getJson(exchange, '/api/v3/klines?interval=1h');
    const limit = await getJson(exchange, '/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1001');

    assert.deepEqual([interval.status, (interval.body as { code: number }).code], [400, -1120]);
    assert.deepEqual([symbol.status, (symbol.body as { code: number }).code], [400, -1102]);
    assert.deepEqual([limit.status, (limit.body as { code: number }).code], [400, -1130]);
  });

  it('fails the next N requests with 429 and Retry-After, then answers again', async () => {
    exchange.setFaults({ failNext: 2, failStatus: 429, retryAfterSeconds: 3 });

    const first = await getJson(exchange, '/api/v3/ping');
    const second = await getJson(exchange, '/api/v3/ping');
    const third = await getJson(exchange, '/api/v3/ping');

    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '3');
    assert.equal((first.body as { code: number }).code, -1003);
    assert.equal(second.status, 429);
    assert.equal(third.status, 200);
    assert.equal(exchange.faults.failNext, 0);
  });

  it('fails only the requests under failPath', async () => {
    exchange.setFaults({ failNext: 1, failStatus: 500, failPath: '/api/v3/klines' });
    try {
      const ping = await getJson(exchange, '/api/v3/ping');
      const failed = await getJson(exchange, '/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1');
      const ok = await getJson(exchange, '/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1');

      assert.deepEqual([ping.status, failed.status, ok.status], [200, 500, 200]);
    } finally {
      exchange.setFaults({ failPath: null });
    }
  });

  it('waits delayMs before answering', async () => {
    exchange.setFaults({ delayMs: 150 });
    try {
      const started = performance.now();
      await getJson(exchange, '/api/v3/ping');
      assert.ok(performance.now() - started >= 140);
    } finally {
      exchange.setFaults({ delayMs: 0 });
    }
  });

  it('leaves out dropped hours, as an outage does', async () => {
    const start = NOON - 5 * HOUR_MS;
    exchange.setFaults({ dropOpenTimes: [start + HOUR_MS, start + 2 * HOUR_MS] });
    try {
      const rows = await klines(exchange, `symbol=BTCUSDT&interval=1h&startTime=${start}&limit=3`);
      assert.deepEqual(
        rows.map((row) => row[0]),
        [start, start + 3 * HOUR_MS, start + 4 * HOUR_MS],
      );
    } finally {
      exchange.setFaults({ dropOpenTimes: [] });
    }
  });

  it('logs the path and query of every request', async () => {
    exchange.requests.length = 0;
    await getJson(exchange, '/api/v3/time');
    await getJson(exchange, '/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1');
    assert.deepEqual(exchange.requests, [
      '/api/v3/time',
      '/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1',
    ]);
  });

  it('answers an unknown path with 404', async () => {
    assert.equal((await getJson(exchange, '/api/v3/depth')).status, 404);
  });
});

describe('fake exchange cli', () => {
  it('prints its URL, serves, and stops on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/fake-exchange/cli.ts', '--port', '0', '--seed', '1'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`cli exited with ${code}: ${output}`)));
      });

      const response = await fetch(`${url}/api/v3/ping`);
      assert.equal(response.status, 200);

      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
