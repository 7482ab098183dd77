import { ArtifactStore } from '../adapters/storage/store.js';
import { SERVING_S3_OPTIONS } from '../adapters/storage/client.js';
import type { Config } from '../core/config/schema.js';
import type { Candle } from '../core/market/candle.js';
import { timeframeToMs } from '../core/market/timeframe.js';
import { recordStartupStep } from '../core/timing/startup-steps.js';
import { windowCandles } from '../core/features/pipeline.js';
import { CandleCache, type CandleProvider } from '../serving/candle-cache.js';
import { Predictor } from '../serving/predictor.js';
import { staleAfterSeconds } from '../serving/model-age.js';
import type { PredictorLog } from '../serving/predictor-types.js';
import { logger, predictorLog } from './logger.js';

/** What the handlers share within one instance (one Lambda execution environment, or the local adapter). */
export interface Runtime {
  readonly config: Config;
  readonly store: ArtifactStore;
  readonly predictor: Predictor;
  /** Releases the ONNX sessions; for tests and the local adapter's shutdown. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Clock in ms for the refresh interval and the candle cache; injectable for tests. */
  readonly clock?: () => number;
  /** Candles instead of ccxt on config.exchange; still cached when config.serving.candle_cache is on. */
  readonly candles?: CandleProvider;
  /** Store instead of ArtifactStore.fromConfig(config.storage). */
  readonly store?: ArtifactStore;
  readonly log?: PredictorLog;
  /** The predictor's bounds on waiting for storage; STORAGE_WAITS_MS by default. For tests. */
  readonly storageWaits?: { readonly loadMs: number; readonly probeMs: number };
}

/** A runtime for `config`: the artifact store, the candle source (behind its cache) and the predictor. */
export function createRuntime(config: Config, options: RuntimeOptions = {}): Runtime {
  const clock = options.clock ?? Date.now;
  const timeframeMs = timeframeToMs(config.market.interval);
  // Short SDK timeouts: a hung store must free the background refresh and the cold loads soon.
  const store = options.store ?? ArtifactStore.fromConfig(config.storage, SERVING_S3_OPTIONS);
  const source = options.candles ?? lazyCcxtSource(config, clock);
  const candles = config.serving.candle_cache
    ? new CandleCache({ provider: source, timeframeMs, now: clock })
    : source;
  const predictor = new Predictor({
    store,
    candles,
    pairs: config.pairs,
    interval: config.market.interval,
    timeframeMs,
    refreshSeconds: config.serving.refresh_seconds,
    staleAfterSeconds: staleAfterSeconds(config),
    gapPolicy: config.market.gap_policy,
    maxFillGap: config.market.max_fill_gap,
    ...(config.serving.candle_cache
      ? { prefetchCandles: windowCandles(config.features.set, config.features.sequence_length) }
      : {}),
    now: clock,
    log: options.log ?? predictorLog(),
    ...(options.storageWaits === undefined
      ? {}
      : { loadWaitMs: options.storageWaits.loadMs, probeWaitMs: options.storageWaits.probeMs }),
  });
  return { config, store, predictor, close: () => predictor.close() };
}

/**
 * ccxt on config.exchange, imported on the first candle request (and the exchange's module on its first
 * fetch): /healthz, /readyz, /models and /openapi.json cold starts never pay for them.
 */
function lazyCcxtSource(config: Config, clock: () => number): CandleProvider {
  let source: Promise<{ fetchLast(pair: string, count: number): Promise<Candle[]> }> | undefined;
  return {
    fetchLast: async (pair, count) => {
      const started = performance.now();
      source ??= import('../adapters/market/ccxt-source.js').then(
        ({ CcxtCandleSource }) =>
          new CcxtCandleSource(config.exchange, {
            timeframe: config.market.interval,
            // The predictor's clock decides which candle is the last closed one; the source asks for
            // the same one.
            now: clock,
            onRetry: (notice) =>
              logger.warn('exchange request failed, retrying', {
                pair: notice.pair,
                action: notice.action,
                attempt: notice.attempt,
                retries_left: notice.retriesLeft,
                reason: notice.error.message,
              }),
          }),
      );
      const candles = await (await source).fetchLast(pair, count);
      recordStartupStep('candles', started);
      return candles;
    },
  };
}
