import type { Pair } from '../core/market/pair.js';
import type { SessionOptions } from '../adapters/inference/session.js';
import { UNKNOWN_PAIR_REASONS, UnknownPairError } from './errors.js';
import { isStorageFailure } from './storage-health.js';
import { loadModel, type LoadedModel, type LoadModelOptions } from './model-loader.js';
import { borrowModel, borrowsFrom } from './borrowed-model.js';
import { asError, type PredictorLog, type PredictorStore } from './predictor-types.js';
import type { SessionLeases } from './session-leases.js';
import type { StorageWatch } from './storage-watch.js';

export interface ModelRegistryOptions {
  readonly store: Pick<PredictorStore, 'readLatest' | 'readManifest' | 'readFile' | 'readOptionalFile'>;
  readonly watch: StorageWatch;
  readonly leases: SessionLeases;
  /** Candle width the server fetches; a model trained on another is refused. */
  readonly interval: string;
  /** How long a read of latest.json is trusted before the next one. */
  readonly refreshMs: number;
  /** Longest wait for a cold pair's first load, or a reload. */
  readonly loadWaitMs: number;
  /** Served pairs that have a model, for the message of an UnknownPairError. */
  readonly availablePairs: () => Promise<Pair[]>;
  /**
   * Pairs whose latest version may lend its shared scale network to a served pair that has no version of
   * its own (borrowed-model.ts), tried in this order; empty: such a pair is unknown until its first run.
   */
  readonly donors: readonly Pair[];
  readonly now: () => number;
  readonly log?: PredictorLog | undefined;
  readonly sessionOptions?: SessionOptions | undefined;
}

interface Entry {
  /** The model served, or null while none could be loaded yet. */
  readonly model: LoadedModel | null;
  /** Why the last read of latest.json did not give a served model, if it did not. */
  readonly error: Error | null;
  /** When latest.json was last read (or tried): nothing is tried again before the refresh interval. */
  readonly checkedAt: number;
}

/** What one read of latest.json did to a pair. */
export interface RefreshOutcome {
  readonly model: LoadedModel | null;
  readonly previous: LoadedModel | null;
  readonly error: Error | null;
}

/**
 * The models in memory, one per pair, and their refresh: a model is loaded once (concurrent requests
 * share the load) and kept; latest.json is read again at most every refresh interval, and a new version
 * replaces the old one only once it has loaded and passed its checks. While storage is down or the new
 * version is corrupt, the old one keeps serving, and the failure is logged.
 *
 * A loaded model never waits for storage (stale-while-revalidate): once the interval has passed, a
 * request starts one background refresh of its pair and gets the model in memory. Only a pair with
 * nothing in memory waits, for at most loadWaitMs.
 */
export class ModelRegistry {
  private readonly options: ModelRegistryOptions;
  private readonly entries = new Map<Pair, Entry>();
  private readonly refreshing = new Map<Pair, Promise<RefreshOutcome>>();
  /** Donor versions (`pair@version`) found not to serve the shared network, or refused: not loaded again. */
  private readonly notDonors = new Set<string>();

  public constructor(options: ModelRegistryOptions) {
    this.options = options;
  }

  /**
   * The model served for `pair`, loading it on first use; a background refresh starts when its last
   * read of latest.json is older than the refresh interval. The store's errors, or StorageTimeoutError
   * past loadWaitMs, when nothing is loaded.
   */
  public async model(pair: Pair): Promise<LoadedModel> {
    const entry = this.entries.get(pair);
    const due = entry === undefined || this.options.now() - entry.checkedAt >= this.options.refreshMs;
    if (entry !== undefined && entry.model !== null) {
      // Never awaited: read() settles every failure into the entry and the log.
      if (due) void this.refresh(pair);
      return entry.model;
    }
    // A failure with nothing loaded is remembered for the interval too: a corrupt model or a missing
    // pointer is answered at once instead of being downloaded again by every request.
    const outcome = due
      ? await this.options.watch.waitFor(this.refresh(pair), this.options.loadWaitMs, `load ${pair}`)
      : entry;
    if (outcome.model !== null) return outcome.model;
    throw outcome.error ?? new Error(`No model for ${pair}`);
  }

  /** Reads latest.json of `pair` now, whatever the interval, waiting at most loadWaitMs. */
  public async reload(pair: Pair): Promise<RefreshOutcome> {
    const current = this.loaded(pair);
    return this.options.watch
      .waitFor(this.refresh(pair), this.options.loadWaitMs, `reload ${pair}`)
      .catch((error: unknown): RefreshOutcome => ({
        model: current,
        previous: current,
        error: asError(error),
      }));
  }

  /** The model in memory for `pair`, without touching storage. */
  public loaded(pair: Pair): LoadedModel | null {
    return this.entries.get(pair)?.model ?? null;
  }

  /** Every model in memory. */
  public all(): LoadedModel[] {
    return [...this.entries.values()].flatMap((entry) => (entry.model === null ? [] : [entry.model]));
  }

  /** Resolves once no refresh is running. */
  public async settled(): Promise<void> {
    while (this.refreshing.size > 0) await Promise.allSettled([...this.refreshing.values()]);
  }

  /** Forgets every model and releases its session; the registry must not be used afterwards. */
  public async close(): Promise<void> {
    await this.settled();
    const models = this.all();
    this.entries.clear();
    await Promise.allSettled(
      models.flatMap((model) => [
        model.session.release(),
        ...(model.scaleSession === null ? [] : [model.scaleSession.release()]),
      ]),
    );
  }

  /** One read of latest.json per pair at a time: whoever asks while one is running shares it. */
  private refresh(pair: Pair): Promise<RefreshOutcome> {
    const running = this.refreshing.get(pair);
    if (running !== undefined) return running;
    const promise = this.read(pair).finally(() => this.refreshing.delete(pair));
    this.refreshing.set(pair, promise);
    return promise;
  }

  private async read(pair: Pair): Promise<RefreshOutcome> {
    const { store, watch, log, now } = this.options;
    const previous = this.loaded(pair);
    try {
      const pointer = await store.readLatest(pair);
      watch.succeeded();
      let model: LoadedModel | null;
      if (pointer === null) {
        model = await this.borrow(pair, previous);
        if (model === null) {
          throw new UnknownPairError(
            pair,
            await this.options.availablePairs(),
            UNKNOWN_PAIR_REASONS.notPublished,
          );
        }
      } else if (
        previous !== null &&
        previous.borrowedFrom === null &&
        previous.version === pointer.version
      ) {
        model = previous;
      } else {
        model = await loadModel(store, pointer, this.loadOptions());
      }
      if (model === previous) {
        this.entries.set(pair, { model: previous, error: null, checkedAt: now() });
        return { model: previous, previous, error: null };
      }
      this.entries.set(pair, { model, error: null, checkedAt: now() });
      watch.forget();
      if (previous !== null) this.options.leases.retire(previous);
      log?.info('model loaded', {
        pair,
        version: model.version,
        previous_version: previous?.version ?? null,
        sequence_length: model.sequenceLength,
        borrowed_from: model.borrowedFrom?.pair ?? null,
      });
      return { model, previous, error: null };
    } catch (caught) {
      const error = asError(caught);
      const storageFailed: boolean = isStorageFailure(error);
      watch.failed(error);
      this.entries.set(pair, { model: previous, error, checkedAt: now() });
      if (previous !== null) {
        log?.warn('keeping the loaded model: the latest one could not be loaded', {
          pair,
          version: previous.version,
          error: error.message,
          error_name: error.name,
        });
      } else if (!storageFailed && !(error instanceof UnknownPairError)) {
        // Nothing served for the pair, and a version refused (its signature, a bound, its contents):
        // said once per read, naming why, not only in the answers of the requests that meet it.
        log?.warn('refusing the published version', { pair, error: error.message, error_name: error.name });
      }
      return { model: previous, previous, error };
    }
  }

  /**
   * The first donor whose latest version serves the shared network, lent to `pair` (borrowModel); the
   * model already served when it is that same version. Null when no donor has one. A donor version that is
   * refused or does not serve the network is remembered and skipped; a storage failure is the caller's.
   */
  private async borrow(pair: Pair, previous: LoadedModel | null): Promise<LoadedModel | null> {
    const { store } = this.options;
    for (const donor of this.options.donors) {
      if (donor === pair) continue;
      const pointer = await store.readLatest(donor);
      if (pointer === null) continue;
      if (borrowsFrom(previous, donor, pointer.version)) return previous;
      const key = `${donor}@${pointer.version}`;
      if (this.notDonors.has(key)) continue;
      let loaded: LoadedModel;
      try {
        loaded = await loadModel(store, pointer, this.loadOptions());
      } catch (error) {
        if (isStorageFailure(asError(error))) throw error;
        this.notDonors.add(key);
        continue;
      }
      const borrowed = borrowModel(loaded, pair);
      if (borrowed !== null) return borrowed;
      this.notDonors.add(key);
      this.options.leases.retire(loaded);
    }
    return null;
  }

  private loadOptions(): LoadModelOptions {
    return {
      interval: this.options.interval,
      clock: this.options.now,
      ...(this.options.sessionOptions === undefined ? {} : { sessionOptions: this.options.sessionOptions }),
    };
  }
}
