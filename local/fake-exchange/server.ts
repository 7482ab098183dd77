import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { timeframeToMs } from '../../core/market/timeframe.js';
import {
  BINANCE_ERRORS,
  DEFAULT_MARKETS,
  exchangeInfo,
  invalidParameter,
  klineRow,
  mandatoryParameter,
} from './binance-format.js';
import type { FakeMarket } from './binance-format.js';
import { marketWalk } from './random-walk.js';
import type { CandleWalk } from './random-walk.js';

/** Misbehaviour to put on, for tests of retries, timeouts and gaps. */
export interface FakeFaults {
  /** How many of the next requests fail with `failStatus`; Infinity for all of them. */
  readonly failNext: number;
  /** 429 (sent with Retry-After, as Binance does), 418, 500, 503, ... */
  readonly failStatus: number;
  /** Only requests whose path starts with this count towards `failNext`; null for every request. */
  readonly failPath: string | null;
  /** Seconds in the Retry-After header of a 429 or 418. */
  readonly retryAfterSeconds: number;
  /** Wait before every answer, failures included. */
  readonly delayMs: number;
  /** Open times (ms) of candles left out of every series, as an exchange outage leaves holes. */
  readonly dropOpenTimes: readonly number[];
}

export interface FakeExchangeOptions {
  /** Address to listen on; loopback unless told otherwise. */
  readonly host?: string;
  /** 0 (the default) picks a free port; read it back from the result. */
  readonly port?: number;
  readonly seed?: number;
  readonly markets?: readonly FakeMarket[];
  /** The exchange's clock; the in-progress candle is the one containing now(). */
  readonly now?: () => number;
  /** First candle of every series (rounded up to the interval); older history does not exist. */
  readonly listedAt?: number;
  readonly faults?: Partial<FakeFaults>;
}

export interface FakeExchange {
  /** Base URL, for ExchangeConfig.url: http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Every request received, as path and query, oldest first; clear it with `requests.length = 0`. */
  readonly requests: string[];
  readonly faults: FakeFaults;
  /** Changes some switches; the others keep their value. */
  setFaults(faults: Partial<FakeFaults>): void;
  close(): Promise<void>;
}

const DEFAULT_FAULTS: FakeFaults = {
  failNext: 0,
  failStatus: 500,
  failPath: null,
  retryAfterSeconds: 1,
  delayMs: 0,
  dropOpenTimes: [],
};

export const DEFAULT_LISTED_AT = Date.UTC(2020, 0, 1);

// Short intervals would need millions of candles back to listedAt; their history is
// cut to this many candles before the first request for them.
const MAX_HISTORY = 100_000;
const KLINE_INTERVALS = new Set(['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d']);
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

type JsonAnswer = readonly [status: number, body: unknown];

/** Starts a fake Binance spot REST API (the public endpoints ccxt uses for candles) on loopback. */
export async function startFakeExchange(options: FakeExchangeOptions = {}): Promise<FakeExchange> {
  const now = options.now ?? Date.now;
  const seed = options.seed ?? 42;
  const listedAt = options.listedAt ?? DEFAULT_LISTED_AT;
  const markets = new Map((options.markets ?? DEFAULT_MARKETS).map((market) => [market.symbol, market]));
  const walks = new Map<string, CandleWalk>();
  const requests: string[] = [];
  let faults: FakeFaults = { ...DEFAULT_FAULTS, ...options.faults };
  let dropped = new Set(faults.dropOpenTimes);
  const closing = new AbortController();

  const walkFor = (market: FakeMarket, interval: string, timeframeMs: number): CandleWalk => {
    const key = `${market.symbol}:${interval}`;
    let walk = walks.get(key);
    if (walk === undefined) {
      const first = Math.ceil(listedAt / timeframeMs) * timeframeMs;
      const earliest = Math.floor(now() / timeframeMs) * timeframeMs - MAX_HISTORY * timeframeMs;
      // Every market of one interval starts at the same time, so they share their market draws from the
      // first candle on.
      walk = marketWalk({ seed, market, interval, timeframeMs, start: Math.max(first, earliest) });
      walks.set(key, walk);
    }
    return walk;
  };

  const klines = (query: URLSearchParams): JsonAnswer => {
    const symbol = query.get('symbol');
    if (symbol === null || symbol === '') return [400, mandatoryParameter('symbol')];
    const market = markets.get(symbol);
    if (market === undefined) return [400, BINANCE_ERRORS.invalidSymbol];
    const interval = query.get('interval');
    if (interval === null || interval === '') return [400, mandatoryParameter('interval')];
    if (!KLINE_INTERVALS.has(interval)) return [400, BINANCE_ERRORS.invalidInterval];
    const limit = integerParam(query, 'limit') ?? DEFAULT_LIMIT;
    const startTime = integerParam(query, 'startTime');
    const endTime = integerParam(query, 'endTime');
    if (Number.isNaN(limit) || limit < 1 || limit > MAX_LIMIT) return [400, invalidParameter('limit')];
    if (Number.isNaN(startTime)) return [400, invalidParameter('startTime')];
    if (Number.isNaN(endTime)) return [400, invalidParameter('endTime')];
    if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
      return [400, BINANCE_ERRORS.startAfterEnd];
    }

    const timeframeMs = timeframeToMs(interval);
    const walk = walkFor(market, interval, timeframeMs);
    // The candle still in progress is listed, as on the real exchange.
    const current = Math.floor((Math.floor(now() / timeframeMs) * timeframeMs - walk.start) / timeframeMs);
    const lo = startTime === undefined ? 0 : Math.max(0, Math.ceil((startTime - walk.start) / timeframeMs));
    const hi =
      endTime === undefined ? current : Math.min(current, Math.floor((endTime - walk.start) / timeframeMs));
    const picked: number[] = [];
    const keep = (k: number): boolean => !dropped.has(walk.start + k * timeframeMs);
    if (startTime !== undefined) {
      for (let k = lo; k <= hi && picked.length < limit; k++) if (keep(k)) picked.push(k);
    } else {
      for (let k = hi; k >= lo && picked.length < limit; k--) if (keep(k)) picked.push(k);
      picked.reverse();
    }
    return [200, picked.map((k) => klineRow(walk.candle(k), walk.extra(k), timeframeMs))];
  };

  const route = (request: IncomingMessage, url: URL): JsonAnswer => {
    if (request.method !== 'GET') return [405, { code: -1000, msg: `Method ${request.method} not allowed.` }];
    switch (url.pathname) {
      case '/api/v3/ping':
        return [200, {}];
      case '/api/v3/time':
        return [200, { serverTime: now() }];
      case '/api/v3/exchangeInfo':
        return [200, exchangeInfo([...markets.values()], now())];
      case '/api/v3/klines':
        return klines(url.searchParams);
      default:
        return [404, { code: -1000, msg: `Unknown path ${url.pathname}.` }];
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://fake-exchange');
    requests.push(url.pathname + url.search);
    if (faults.delayMs > 0) await sleep(faults.delayMs, undefined, { signal: closing.signal });
    if (faults.failNext > 0 && (faults.failPath === null || url.pathname.startsWith(faults.failPath))) {
      faults = { ...faults, failNext: faults.failNext - 1 };
      const status = faults.failStatus;
      const limited = status === 429 || status === 418;
      const body = limited ? BINANCE_ERRORS.tooManyRequests : BINANCE_ERRORS.unknown;
      send(response, status, body, limited ? { 'Retry-After': String(faults.retryAfterSeconds) } : {});
      return;
    }
    const [status, body] = route(request, url);
    send(response, status, body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (closing.signal.aborted) return;
      send(response, 500, { code: -1000, msg: `Fake exchange failure: ${String(error)}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requests,
    get faults() {
      return faults;
    },
    setFaults(changes) {
      faults = { ...faults, ...changes };
      dropped = new Set(faults.dropOpenTimes);
    },
    close() {
      closing.abort();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive connections from ccxt would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

/** undefined when absent, NaN when not a whole number. */
function integerParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.writableEnded || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
