import type { SessionOptions } from '../adapters/inference/session.js';
import type { Pair } from '../core/market/pair.js';
import { pointLocation } from '../core/distribution/next-close.js';
import type { NextCloseDistribution } from '../core/distribution/served-schema.js';
import { windowCandles } from '../core/features/pipeline.js';
import type { Candle } from '../core/market/candle.js';
import type { CandleProvider } from './candle-cache.js';
import { CandleWindow } from './candle-window.js';
import type { DistributionSummary } from './distribution-file.js';
import { UNKNOWN_PAIR_REASONS, UnknownPairError } from './errors.js';
import { runPointModel, runScaleWindow } from './inference.js';
import { scaleNetworkFeeds } from '../core/distribution/scale-network-input.js';
import { modelAge, type ModelAge } from './model-age.js';
import type { LoadedModel, MetricsSummary } from './model-loader.js';
import { ModelRegistry } from './model-registry.js';
import { asError, type PredictorLog, type PredictorStore } from './predictor-types.js';
import { SessionLeases } from './session-leases.js';
import type { StorageHealth } from './storage-health.js';
import { StorageWatch } from './storage-watch.js';

export type { PredictorLog, PredictorStore } from './predictor-types.js';

/**
 * How long a request waits for storage by default. A cold pair's first load (latest.json, manifest,
 * three files, an onnxruntime session) takes well under a second when storage is healthy; a listing
 * or a readiness probe is a few small requests. Past these, the request answers 503 and the call goes
 * on in the background.
 */
export const STORAGE_WAITS_MS = { load: 10_000, probe: 1_500 } as const;

export interface PredictorOptions {
  readonly store: PredictorStore;
  /** Candles for the windows: a CandleCache around the ccxt source, or the source itself. */
  readonly candles: CandleProvider;
  /** The pairs this instance serves (config.pairs); any other pair is unknown. */
  readonly pairs: readonly Pair[];
  /** Candle width, a ccxt timeframe such as `1h` (config.market.interval). */
  readonly interval: string;
  /** Candle width in ms, timeframeToMs(interval). */
  readonly timeframeMs: number;
  /** Seconds a loaded model is served before latest.json is read again (config.serving.refresh_seconds). */
  readonly refreshSeconds: number;
  /**
   * A model trained longer ago than this is reported stale, and still served (staleAfterSeconds of
   * config.serving: the schedule period times stale_after_periods).
   */
  readonly staleAfterSeconds: number;
  /** How missing candles in a window are handled, as in training (config.market). */
  readonly gapPolicy: 'fail' | 'fill';
  readonly maxFillGap: number;
  /** Clock in ms for the refresh policy and the models' age; injectable for tests. */
  readonly now?: () => number;
  readonly log?: PredictorLog;
  readonly sessionOptions?: SessionOptions;
  /** Longest wait for a cold pair's first load, or a reload (default STORAGE_WAITS_MS.load). */
  readonly loadWaitMs?: number;
  /** Longest wait for a listing of the models or a storage ping (default STORAGE_WAITS_MS.probe). */
  readonly probeWaitMs?: number;
  /**
   * Candles the configured model's window reads (windowCandles of config.features), when `candles`
   * shares one fetch between callers (a CandleCache): a pair's first request then fetches them while
   * its model downloads, instead of after. Absent: no prefetch (without a cache it would fetch twice).
   */
  readonly prefetchCandles?: number;
}

export interface PredictOptions {
  /** Return the candles of the window the prediction was made from. */
  readonly includeCandles?: boolean;
}

/** The model behind an answer, as a client sees it. */
export interface ModelInfo {
  readonly pair: Pair;
  readonly version: string;
  readonly publishedAt: string;
  readonly trainedAt: string;
  readonly targetMode: LoadedModel['targetMode'];
  readonly sequenceLength: number;
  /** The point model's test figures; null for a borrowed model (its point forecast is the last close). */
  readonly metrics: MetricsSummary | null;
  /** Another pair's version whose shared network serves this pair, which has no version of its own yet. */
  readonly borrowedFrom: LoadedModel['borrowedFrom'];
  /** The distribution served beside the point forecast, and what it measured on held-out hours. */
  readonly distribution: DistributionSummary;
  readonly loadedAt: number;
  /** Measured when the info was made: at the prediction, or at the status() call. */
  readonly age: ModelAge;
}

export interface Prediction {
  readonly pair: Pair;
  readonly interval: string;
  /** The candle being predicted: the one right after the window. */
  readonly next: { readonly openTime: number; readonly closeTime: number; readonly close: number };
  /** The newest closed candle, the last of the window. */
  readonly last: { readonly openTime: number; readonly closeTime: number; readonly close: number };
  /** next.close - last.close, and the same as a percentage of last.close. */
  readonly change: { readonly absolute: number; readonly percent: number };
  /**
   * The model's raw output: the scaled close, before the scaler maps it back to a price. Null for a
   * borrowed model, which runs no point model.
   */
  readonly scaledClose: number | null;
  /** The distribution of the next close, centred on `next.close`, in prices. */
  readonly distribution: NextCloseDistribution;
  readonly model: ModelInfo;
  /** The window the model read, oldest first, when asked for. */
  readonly candles?: readonly Candle[];
}

/** One pair's outcome of a reload. */
export interface ReloadResult {
  readonly pair: Pair;
  /** The version served now, or null when none could be loaded. */
  readonly version: string | null;
  readonly previousVersion: string | null;
  readonly changed: boolean;
  /** Why the latest version is not the one served, when it is not. */
  readonly error: Error | null;
}

export type ModelStatus =
  | { readonly pair: Pair; readonly ok: true; readonly model: ModelInfo }
  | { readonly pair: Pair; readonly ok: false; readonly error: Error };

/**
 * Predicts the next close of each served pair with the model latest.json points at: a thin facade that
 * composes the parts, each owning one kind of state. ModelRegistry holds the loaded models and their
 * refresh (a loaded model never waits for storage: stale-while-revalidate), StorageWatch what storage
 * said and the bound on waiting for it, CandleWindow the market window, SessionLeases the onnxruntime
 * sessions in use, and runWindow the inference. Only what has nothing in memory waits for storage (a
 * cold pair, a listing, a readiness probe, a reload), and then for a bounded time.
 */
export class Predictor {
  public readonly pairs: readonly Pair[];
  private readonly interval: string;
  private readonly timeframeMs: number;
  private readonly staleAfterSeconds: number;
  private readonly prefetchCandles: number | undefined;
  private readonly now: () => number;
  private readonly leases = new SessionLeases();
  private readonly watch: StorageWatch;
  private readonly registry: ModelRegistry;
  private readonly candles: CandleWindow;

  public constructor(options: PredictorOptions) {
    if (!Number.isFinite(options.refreshSeconds) || options.refreshSeconds < 0) {
      throw new RangeError(`refreshSeconds must be 0 or more, got ${options.refreshSeconds}`);
    }
    if (!Number.isFinite(options.staleAfterSeconds) || options.staleAfterSeconds <= 0) {
      throw new RangeError(`staleAfterSeconds must be more than 0, got ${options.staleAfterSeconds}`);
    }
    const now = options.now ?? Date.now;
    const refreshMs = options.refreshSeconds * 1_000;
    this.pairs = [...options.pairs];
    this.interval = options.interval;
    this.timeframeMs = options.timeframeMs;
    this.staleAfterSeconds = options.staleAfterSeconds;
    this.prefetchCandles = options.prefetchCandles;
    this.now = now;
    this.watch = new StorageWatch({
      store: options.store,
      pairs: this.pairs,
      refreshMs,
      probeWaitMs: positive('probeWaitMs', options.probeWaitMs ?? STORAGE_WAITS_MS.probe),
      now,
      log: options.log,
    });
    this.registry = new ModelRegistry({
      store: options.store,
      watch: this.watch,
      leases: this.leases,
      interval: options.interval,
      refreshMs,
      loadWaitMs: positive('loadWaitMs', options.loadWaitMs ?? STORAGE_WAITS_MS.load),
      availablePairs: () => this.availablePairs(),
      donors: this.pairs,
      now,
      log: options.log,
      sessionOptions: options.sessionOptions,
    });
    this.candles = new CandleWindow({
      candles: options.candles,
      timeframeMs: options.timeframeMs,
      gapPolicy: options.gapPolicy,
      maxFillGap: options.maxFillGap,
      now,
    });
  }

  /** The predicted close of the candle after the last closed one. */
  public async predict(pair: Pair, options: PredictOptions = {}): Promise<Prediction> {
    // On a pair's cold path, the window's fetch starts beside the model's download and ONNX session: on
    // a cold start that overlaps the exchange's module, markets and candles with storage.
    if (
      this.prefetchCandles !== undefined &&
      this.pairs.includes(pair) &&
      this.registry.loaded(pair) === null
    ) {
      this.candles.prefetch(pair, this.prefetchCandles);
    }
    const model = await this.model(pair);
    // The model's own feature set (its scaler's), not this server's configuration, says how many
    // candles of look-back the window's features read; the answer and the distribution are about
    // the window itself.
    const context = await this.candles.last(
      pair,
      windowCandles(model.scaler.featureSet, model.sequenceLength),
    );
    const candles = context.slice(context.length - model.sequenceLength);
    const last = candles[candles.length - 1] as Candle;
    const tf = this.timeframeMs;
    const window = { candles, last: candles.length - 1, nextOpenTime: last.openTime + tf };
    const { scale } = model.distribution.served.spec;
    // Both graphs at once: onnxruntime runs each off the event loop, so the scale network's costs the
    // answer little more than the point model's alone.
    const [scaledClose, networkLogScale] = await Promise.all([
      model.borrowedFrom === null ? runPointModel(this.leases, model, context, last.close) : null,
      scale.kind === 'shared_network'
        ? runScaleWindow(this.leases, model, scaleNetworkFeeds(scale.network, window, model.sequenceLength))
        : undefined,
    ]);
    // A borrowed model's point model learnt another pair's prices: its forecast here is "no change".
    const close = scaledClose?.close ?? last.close;
    const distribution = model.distribution.served.nextClose({
      ...window,
      mu: pointLocation(close, last.close),
      ...(networkLogScale === undefined ? {} : { networkLogScale }),
    });
    return {
      pair,
      interval: this.interval,
      next: { openTime: last.openTime + tf, closeTime: last.openTime + 2 * tf, close },
      last: { openTime: last.openTime, closeTime: last.openTime + tf, close: last.close },
      change: { absolute: close - last.close, percent: ((close - last.close) / last.close) * 100 },
      scaledClose: scaledClose?.scaled ?? null,
      distribution,
      model: this.info(model),
      ...(options.includeCandles === true ? { candles } : {}),
    };
  }

  /**
   * The model served for `pair`, loading it on first use (ModelRegistry.model). UnknownPairError for a
   * pair that is not served or has nothing published.
   */
  public async model(pair: Pair): Promise<LoadedModel> {
    if (!this.pairs.includes(pair)) {
      throw new UnknownPairError(pair, await this.availablePairs(), UNKNOWN_PAIR_REASONS.notServed);
    }
    return this.registry.model(pair);
  }

  /**
   * Reads latest.json of every served pair now, whatever the refresh interval, and loads what changed.
   * A pair whose new version fails keeps its old one; its result says why.
   */
  public async reload(): Promise<ReloadResult[]> {
    // Forced: the interval applies to what was read before this call, failures included.
    this.watch.forget();
    return Promise.all(
      this.pairs.map(async (pair) => {
        const outcome = await this.registry.reload(pair);
        return {
          pair,
          version: outcome.model?.version ?? null,
          previousVersion: outcome.previous?.version ?? null,
          changed: outcome.model !== null && outcome.model !== outcome.previous,
          error: outcome.error,
        };
      }),
    );
  }

  /**
   * Every served pair that has a published model, with the model served or why none is, and every served
   * pair with none that another pair's version serves on loan (borrowed-model.ts). While storage cannot be
   * listed, the pairs loaded in memory; the store's error when there are none.
   */
  public async status(): Promise<ModelStatus[]> {
    let published: ReadonlySet<Pair>;
    let listed = true;
    try {
      published = this.watch.publishedIn(await this.watch.list());
    } catch (error) {
      if (this.registry.all().length === 0) throw error;
      published = new Set();
      listed = false;
    }
    const known = (pair: Pair): boolean => published.has(pair) || this.registry.loaded(pair) !== null;
    // A pair with nothing published is listed only when a loan serves it: trying one needs storage.
    const pairs = this.pairs.filter((pair) => known(pair) || (listed && published.size > 0));
    const statuses = await Promise.all(
      pairs.map(async (pair): Promise<ModelStatus | null> => {
        try {
          return { pair, ok: true, model: this.info(await this.model(pair)) };
        } catch (error) {
          return known(pair) ? { pair, ok: false, error: asError(error) } : null;
        }
      }),
    );
    return statuses.filter((status) => status !== null);
  }

  /** The models in memory now, without touching storage. */
  public loaded(): ModelInfo[] {
    return this.registry.all().map((model) => this.info(model));
  }

  /**
   * Served pairs that have a model, for the message of a 404. Listed from the store at most once per
   * refresh interval; while storage is down, the pairs loaded in memory.
   */
  public async availablePairs(): Promise<Pair[]> {
    const loaded = (pair: Pair): boolean => this.registry.loaded(pair) !== null;
    try {
      const published = await this.watch.publishedPairs();
      return this.pairs.filter((pair) => published.has(pair) || loaded(pair));
    } catch {
      return this.pairs.filter(loaded);
    }
  }

  /** What the last storage calls said; never touches storage. */
  public storage(): StorageHealth {
    return this.watch.health();
  }

  /** Pings storage, waiting at most probeWaitMs, and returns the storage health afterwards. */
  public async checkStorage(): Promise<StorageHealth> {
    return this.watch.check();
  }

  /** Folders under the models prefix, not a served pair's, whose latest.json could not be read. */
  public unreadableEntries(): readonly string[] {
    return this.watch.unreadableEntries();
  }

  /** Resolves once no refresh is running: for tests, and before releasing the sessions. */
  public async settled(): Promise<void> {
    await this.registry.settled();
  }

  /** Releases every session; the predictor must not be used afterwards. */
  public async close(): Promise<void> {
    await this.registry.close();
  }

  private info(model: LoadedModel): ModelInfo {
    return {
      pair: model.pair,
      version: model.version,
      publishedAt: model.publishedAt,
      trainedAt: model.trainedAt,
      targetMode: model.targetMode,
      sequenceLength: model.sequenceLength,
      metrics: model.summary,
      borrowedFrom: model.borrowedFrom,
      distribution: model.distribution.summary,
      loadedAt: model.loadedAt,
      age: modelAge(model.trainedAt, this.now(), this.staleAfterSeconds),
    };
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be more than 0, got ${value}`);
  return value;
}
