import * as ort from 'onnxruntime-node';
import { pairSlug, type ArtifactStore, type LatestListing } from '../artifacts/index.js';
import type { Pair } from '../config/index.js';
import { prepareWindow, windowCandles } from '../features/index.js';
import { pointLocation, type NextCloseDistribution } from '../distribution/index.js';
import type { Candle } from '../market/candle.js';
import { CandleValidationError } from '../market/errors.js';
import { candleOpenTime } from '../market/timeframe.js';
import { validateCandles } from '../market/validate.js';
import type { CandleProvider } from './candle-cache.js';
import { withDeadline } from './deadline.js';
import {
  MarketDataUnavailableError,
  MarketStaleError,
  ModelOutputError,
  StorageTimeoutError,
  UNKNOWN_PAIR_REASONS,
  UnknownPairError,
} from './errors.js';
import type { DistributionSummary } from './distribution-file.js';
import { modelAge, type ModelAge } from './model-age.js';
import { loadModel, type LoadedModel, type MetricsSummary } from './model-loader.js';
import { ONNX_IO } from './onnx-io.js';
import { StorageMonitor, type StorageHealth } from './storage-health.js';

/** What the predictor needs from the artifact store. */
export type PredictorStore = Pick<
  ArtifactStore,
  'readLatest' | 'readManifest' | 'readFile' | 'readOptionalFile' | 'listLatest' | 'ping'
>;

/**
 * How long a request waits for storage by default. A cold pair's first load (latest.json, manifest,
 * three files, an onnxruntime session) takes well under a second when storage is healthy; a listing
 * or a readiness probe is a few small requests. Past these, the request answers 503 and the call goes
 * on in the background.
 */
export const STORAGE_WAITS_MS = { load: 10_000, probe: 1_500 } as const;

/** Where the predictor reports swaps and kept models; Powertools' Logger fits, and so does console. */
export interface PredictorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

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
  readonly sessionOptions?: ort.InferenceSession.SessionOptions;
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
  readonly metrics: MetricsSummary;
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
  /** The model's raw output: the scaled close, before the scaler maps it back to a price. */
  readonly scaledClose: number;
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

interface Entry {
  /** The model served, or null while none could be loaded yet. */
  readonly model: LoadedModel | null;
  /** Why the last read of latest.json did not give a served model, if it did not. */
  readonly error: Error | null;
  /** When latest.json was last read (or tried): nothing is tried again before the refresh interval. */
  readonly checkedAt: number;
}

interface Outcome {
  readonly model: LoadedModel | null;
  readonly previous: LoadedModel | null;
  readonly error: Error | null;
}

/**
 * Predicts the next close of each served pair with the model latest.json points at. A model is loaded
 * once (concurrent requests share the load) and kept for the life of the instance; latest.json is read
 * again at most every `refreshSeconds`, and a new version replaces the old one only once it has loaded
 * and passed its checks: while storage is down or the new version is corrupt, the old one keeps
 * serving, and the failure is logged.
 *
 * A loaded model never waits for storage (stale-while-revalidate): once the interval has passed, a
 * request starts one background refresh of its pair and answers with the model in memory, so a slow or
 * hung store costs a warm instance nothing but a later swap. Only what has nothing in memory waits
 * (a cold pair, a listing, a readiness probe, a reload), and then for a bounded time.
 */
export class Predictor {
  public readonly pairs: readonly Pair[];
  private readonly store: PredictorStore;
  private readonly candles: CandleProvider;
  private readonly interval: string;
  private readonly timeframeMs: number;
  private readonly refreshMs: number;
  private readonly staleAfterSeconds: number;
  private readonly gapPolicy: 'fail' | 'fill';
  private readonly maxFillGap: number;
  private readonly prefetchCandles: number | undefined;
  private readonly now: () => number;
  private readonly log: PredictorLog | undefined;
  private readonly sessionOptions: ort.InferenceSession.SessionOptions | undefined;
  private readonly entries = new Map<Pair, Entry>();
  private readonly refreshing = new Map<Pair, Promise<Outcome>>();
  /** Runs in progress per session, so that a replaced session is released only once it is idle. */
  private readonly running = new Map<LoadedModel, number>();
  private readonly retired = new Set<LoadedModel>();
  private published: { readonly pairs: readonly Pair[]; readonly at: number } | null = null;
  private readonly loadWaitMs: number;
  private readonly probeWaitMs: number;
  private readonly storageMonitor: StorageMonitor;
  /** The listing in progress, shared: a hung store gets one LIST at a time, not one per request. */
  private listing: Promise<LatestListing> | null = null;
  private pinging: Promise<void> | null = null;
  /** Folders whose latest.json could not be read at the last listing. */
  private unreadableFolders: readonly string[] = [];

  public constructor(options: PredictorOptions) {
    if (!Number.isFinite(options.refreshSeconds) || options.refreshSeconds < 0) {
      throw new RangeError(`refreshSeconds must be 0 or more, got ${options.refreshSeconds}`);
    }
    if (!Number.isFinite(options.staleAfterSeconds) || options.staleAfterSeconds <= 0) {
      throw new RangeError(`staleAfterSeconds must be more than 0, got ${options.staleAfterSeconds}`);
    }
    this.store = options.store;
    this.candles = options.candles;
    this.pairs = [...options.pairs];
    this.interval = options.interval;
    this.timeframeMs = options.timeframeMs;
    this.refreshMs = options.refreshSeconds * 1_000;
    this.staleAfterSeconds = options.staleAfterSeconds;
    this.gapPolicy = options.gapPolicy;
    this.maxFillGap = options.maxFillGap;
    this.prefetchCandles = options.prefetchCandles;
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.sessionOptions = options.sessionOptions;
    this.loadWaitMs = positive('loadWaitMs', options.loadWaitMs ?? STORAGE_WAITS_MS.load);
    this.probeWaitMs = positive('probeWaitMs', options.probeWaitMs ?? STORAGE_WAITS_MS.probe);
    this.storageMonitor = new StorageMonitor(this.now);
  }

  /** The predicted close of the candle after the last closed one. */
  public async predict(pair: Pair, options: PredictOptions = {}): Promise<Prediction> {
    this.prefetchWindow(pair);
    const model = await this.model(pair);
    // The model's own feature set (its scaler's), not this server's configuration, says how many
    // candles of look-back the window's features read; the answer and the distribution are about
    // the window itself.
    const context = await this.window(pair, windowCandles(model.scaler.featureSet, model.sequenceLength));
    const candles = context.slice(context.length - model.sequenceLength);
    const input = prepareWindow(context, model.scaler, model.sequenceLength);
    const { scaledClose, logScale } = await this.run(model, input);
    const last = candles[candles.length - 1] as Candle;
    // Read from the last close, as training scored it: "no change" is the last close to the cent.
    const width = model.scaler.features.length;
    const lastScaled = input[(model.sequenceLength - 1) * width + model.scaler.columnIndex('close')]!;
    const close = model.scaler.inverseFromAnchor(scaledClose, { scaled: lastScaled, raw: last.close });
    const tf = this.timeframeMs;
    const distribution = model.distribution.served.nextClose({
      candles,
      last: candles.length - 1,
      nextOpenTime: last.openTime + tf,
      mu: pointLocation(close, last.close),
      ...(logScale === null ? {} : { networkLogScale: logScale }),
    });
    return {
      pair,
      interval: this.interval,
      next: { openTime: last.openTime + tf, closeTime: last.openTime + 2 * tf, close },
      last: { openTime: last.openTime, closeTime: last.openTime + tf, close: last.close },
      change: { absolute: close - last.close, percent: ((close - last.close) / last.close) * 100 },
      scaledClose,
      distribution,
      model: this.info(model),
      ...(options.includeCandles === true ? { candles } : {}),
    };
  }

  /**
   * The model served for `pair`, loading it on first use. A loaded model is returned at once; when
   * its last read of latest.json is older than the refresh interval, a background refresh starts.
   * UnknownPairError for a pair that is not served or has nothing published; the store's errors, or
   * StorageTimeoutError past loadWaitMs, (503 material) when nothing is loaded.
   */
  public async model(pair: Pair): Promise<LoadedModel> {
    if (!this.pairs.includes(pair)) {
      throw new UnknownPairError(pair, await this.availablePairs(), UNKNOWN_PAIR_REASONS.notServed);
    }
    const entry = this.entries.get(pair);
    const due = entry === undefined || this.now() - entry.checkedAt >= this.refreshMs;
    if (entry !== undefined && entry.model !== null) {
      // Never awaited: readLatest() settles every failure into the entry and the log.
      if (due) void this.refresh(pair);
      return entry.model;
    }
    // A failure with nothing loaded is remembered for the interval too: a corrupt model or a missing
    // pointer is answered at once instead of being downloaded again by every request.
    const outcome = due
      ? await this.waitForStorage(this.refresh(pair), this.loadWaitMs, `load ${pair}`)
      : entry;
    if (outcome.model !== null) return outcome.model;
    throw outcome.error ?? new Error(`No model for ${pair}`);
  }

  /**
   * Reads latest.json of every served pair now, whatever the refresh interval, and loads what changed.
   * A pair whose new version fails keeps its old one; its result says why.
   */
  public async reload(): Promise<ReloadResult[]> {
    // Forced: the interval applies to what was read before this call, failures included.
    this.published = null;
    return Promise.all(
      this.pairs.map(async (pair) => {
        const current = this.entries.get(pair)?.model ?? null;
        const outcome = await this.waitForStorage(
          this.refresh(pair),
          this.loadWaitMs,
          `reload ${pair}`,
        ).catch((error: unknown): Outcome => ({ model: current, previous: current, error: asError(error) }));
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
   * Every served pair that has a published model, with the model served or why none is. While storage
   * cannot be listed, the pairs loaded in memory; the store's error when there are none.
   */
  public async status(): Promise<ModelStatus[]> {
    let published: Set<Pair>;
    try {
      published = this.publishedPairs(await this.listLatest());
    } catch (error) {
      if (this.loaded().length === 0) throw error;
      published = new Set();
    }
    const pairs = this.pairs.filter((pair) => published.has(pair) || this.isLoaded(pair));
    return Promise.all(
      pairs.map(async (pair): Promise<ModelStatus> => {
        try {
          return { pair, ok: true, model: this.info(await this.model(pair)) };
        } catch (error) {
          return { pair, ok: false, error: asError(error) };
        }
      }),
    );
  }

  /** The models in memory now, without touching storage. */
  public loaded(): ModelInfo[] {
    return [...this.entries.values()].flatMap((entry) =>
      entry.model === null ? [] : [this.info(entry.model)],
    );
  }

  /**
   * Served pairs that have a model, for the message of a 404. Listed from the store at most once per
   * refresh interval; while storage is down, the pairs loaded in memory.
   */
  public async availablePairs(): Promise<Pair[]> {
    const cached = this.published;
    if (cached !== null && this.now() - cached.at < this.refreshMs) return [...cached.pairs];
    try {
      const published = this.publishedPairs(await this.listLatest());
      const pairs = this.pairs.filter((pair) => published.has(pair) || this.isLoaded(pair));
      this.published = { pairs, at: this.now() };
      return [...pairs];
    } catch {
      return this.pairs.filter((pair) => this.isLoaded(pair));
    }
  }

  /** What the last storage calls said; never touches storage. */
  public storage(): StorageHealth {
    return this.storageMonitor.snapshot();
  }

  /**
   * Pings storage, waiting at most probeWaitMs, and returns the storage health afterwards. One ping at
   * a time: callers during a hang share it, each with its own deadline.
   */
  public async checkStorage(): Promise<StorageHealth> {
    this.pinging ??= this.store
      .ping()
      .then(
        () => this.storageMonitor.succeeded(),
        (error: unknown) => this.storageMonitor.failed(error),
      )
      .finally(() => {
        this.pinging = null;
      });
    await this.waitForStorage(this.pinging, this.probeWaitMs, 'ping').catch(() => undefined);
    return this.storageMonitor.snapshot();
  }

  /**
   * Folders under the models prefix, not those of a served pair, whose latest.json could not be read at
   * the last listing (a served pair's own unreadable pointer shows in its status instead).
   */
  public unreadableEntries(): readonly string[] {
    const served = new Set(this.pairs.map((pair) => pairSlug(pair)));
    return this.unreadableFolders.filter((folder) => !served.has(folder));
  }

  /** Resolves once no refresh is running: for tests, and before releasing the sessions. */
  public async settled(): Promise<void> {
    while (this.refreshing.size > 0) await Promise.allSettled([...this.refreshing.values()]);
  }

  /** Releases every session; the predictor must not be used afterwards. */
  public async close(): Promise<void> {
    await this.settled();
    const models = [...this.entries.values()].flatMap((entry) => (entry.model === null ? [] : [entry.model]));
    this.entries.clear();
    await Promise.allSettled(models.map((model) => model.session.release()));
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
      distribution: model.distribution.summary,
      loadedAt: model.loadedAt,
      age: modelAge(model.trainedAt, this.now(), this.staleAfterSeconds),
    };
  }

  private isLoaded(pair: Pair): boolean {
    return (this.entries.get(pair)?.model ?? null) !== null;
  }

  /**
   * `promise`, or StorageTimeoutError after `ms`; the timeout is a storage failure for /readyz. The
   * promise goes on: a later request shares it, or finds its result.
   */
  private waitForStorage<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
    return withDeadline(promise, ms, () => {
      const error = new StorageTimeoutError(operation, ms);
      this.storageMonitor.failed(error);
      return error;
    });
  }

  /** Every latest.json, bounded by probeWaitMs; unreadable ones are logged and remembered. */
  private async listLatest(): Promise<LatestListing> {
    this.listing ??= this.store
      .listLatest()
      .then(
        (listing) => {
          this.storageMonitor.succeeded();
          this.unreadableFolders = listing.unreadable.map((entry) => entry.folder);
          for (const { folder, error } of listing.unreadable) {
            this.log?.warn('skipping an unreadable latest.json', { folder, problems: error.problems });
          }
          return listing;
        },
        (error: unknown) => {
          this.storageMonitor.failed(error);
          throw error;
        },
      )
      .finally(() => {
        this.listing = null;
      });
    return this.waitForStorage(this.listing, this.probeWaitMs, 'list models');
  }

  /**
   * Served pairs with a latest.json. A served pair whose pointer is unreadable counts: its status then
   * says why it cannot be served, instead of the pair silently disappearing.
   */
  private publishedPairs(listing: LatestListing): Set<Pair> {
    const published = new Set<Pair>(listing.pointers.map((pointer) => pointer.pair));
    const unreadable = new Set(listing.unreadable.map((entry) => entry.folder));
    for (const pair of this.pairs) if (unreadable.has(pairSlug(pair))) published.add(pair);
    return published;
  }

  /** One read of latest.json per pair at a time: whoever asks while one is running shares it. */
  private refresh(pair: Pair): Promise<Outcome> {
    const running = this.refreshing.get(pair);
    if (running !== undefined) return running;
    const promise = this.readLatest(pair).finally(() => this.refreshing.delete(pair));
    this.refreshing.set(pair, promise);
    return promise;
  }

  private async readLatest(pair: Pair): Promise<Outcome> {
    const previous = this.entries.get(pair)?.model ?? null;
    try {
      const pointer = await this.store.readLatest(pair);
      this.storageMonitor.succeeded();
      if (pointer === null) {
        throw new UnknownPairError(pair, await this.availablePairs(), UNKNOWN_PAIR_REASONS.notPublished);
      }
      if (previous !== null && previous.version === pointer.version) {
        this.entries.set(pair, { model: previous, error: null, checkedAt: this.now() });
        return { model: previous, previous, error: null };
      }
      const model = await loadModel(this.store, pointer, {
        interval: this.interval,
        clock: this.now,
        ...(this.sessionOptions === undefined ? {} : { sessionOptions: this.sessionOptions }),
      });
      this.entries.set(pair, { model, error: null, checkedAt: this.now() });
      this.published = null;
      if (previous !== null) this.retire(previous);
      this.log?.info('model loaded', {
        pair,
        version: model.version,
        previous_version: previous?.version ?? null,
        sequence_length: model.sequenceLength,
      });
      return { model, previous, error: null };
    } catch (caught) {
      const error = asError(caught);
      this.storageMonitor.failed(error);
      this.entries.set(pair, { model: previous, error, checkedAt: this.now() });
      if (previous !== null) {
        this.log?.warn('keeping the loaded model: the latest one could not be loaded', {
          pair,
          version: previous.version,
          error: error.message,
          error_name: error.name,
        });
      }
      return { model: previous, previous, error };
    }
  }

  /**
   * On a pair's cold path (no model in memory), starts the window's fetch beside the model's download
   * and ONNX session: on a cold start that overlaps the exchange's module, markets and candles with
   * storage. The cache hands the same fetch to window(); its failure is reported there, not here. A
   * model whose window is longer than the configured one simply fetches again.
   */
  private prefetchWindow(pair: Pair): void {
    if (this.prefetchCandles === undefined || !this.pairs.includes(pair)) return;
    if (this.entries.get(pair)?.model != null) return;
    this.candles.fetchLast(pair, this.fetchCount(this.prefetchCandles)).catch(() => undefined);
  }

  /** Candles asked for a window of `length`: a few more, so that a hole at its start can be repaired too. */
  private fetchCount(length: number): number {
    return length + (this.gapPolicy === 'fill' ? this.maxFillGap : 0);
  }

  /** The last `length` closed candles, validated and gap-repaired as training does. */
  private async window(pair: Pair, length: number): Promise<Candle[]> {
    const raw = await this.candles.fetchLast(pair, this.fetchCount(length));
    // Validation only sees the gaps between candles: a series that stops hours ago passes it, and
    // its "next candle" would already be in the past. A newer candle than expected is fine (this
    // clock is behind the exchange's).
    const expected = candleOpenTime(this.now(), this.timeframeMs) - this.timeframeMs;
    const newest = raw.reduce((max, candle) => Math.max(max, candle.openTime), Number.NEGATIVE_INFINITY);
    if (raw.length > 0 && newest < expected) throw new MarketStaleError(pair, newest, expected);
    let candles: Candle[];
    try {
      candles = validateCandles(raw, this.timeframeMs, {
        gapPolicy: this.gapPolicy,
        maxFillGap: this.maxFillGap,
        source: pair,
      }).candles;
    } catch (error) {
      if (error instanceof CandleValidationError) {
        throw new MarketDataUnavailableError(pair, length, raw.length, error.message, { cause: error });
      }
      throw error;
    }
    if (candles.length < length) {
      throw new MarketDataUnavailableError(pair, length, candles.length, 'the market has fewer candles');
    }
    return candles.slice(-length);
  }

  /** The graph's outputs for one window: the scaled close, and log_scale when distribution.json serves it. */
  private async run(
    model: LoadedModel,
    window: Float32Array,
  ): Promise<{ scaledClose: number; logScale: number | null }> {
    this.running.set(model, (this.running.get(model) ?? 0) + 1);
    try {
      const feeds = {
        [ONNX_IO.input]: new ort.Tensor('float32', window, [1, model.sequenceLength, model.featureCount]),
      };
      const output = await model.session.run(feeds);
      const value = output[ONNX_IO.output]?.data[0];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ModelOutputError(model.pair, model.version, value);
      }
      if (model.distribution.served.spec.scale.kind !== 'network')
        return { scaledClose: value, logScale: null };
      const logScale = output[ONNX_IO.logScale]?.data[0];
      if (typeof logScale !== 'number' || !Number.isFinite(logScale)) {
        throw new ModelOutputError(model.pair, model.version, logScale, ONNX_IO.logScale);
      }
      return { scaledClose: value, logScale };
    } finally {
      const left = (this.running.get(model) ?? 1) - 1;
      if (left > 0) this.running.set(model, left);
      else {
        this.running.delete(model);
        if (this.retired.delete(model)) void model.session.release().catch(() => undefined);
      }
    }
  }

  /** A replaced model's session is released now if idle, or when its last run ends. */
  private retire(model: LoadedModel): void {
    if (this.running.has(model)) this.retired.add(model);
    else void model.session.release().catch(() => undefined);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be more than 0, got ${value}`);
  return value;
}
