import type { LatestListing } from '../adapters/storage/version-reader.js';
import { pairSlug } from '../core/artifacts/layout.js';
import type { Pair } from '../core/market/pair.js';
import { withDeadline } from './deadline.js';
import { StorageTimeoutError } from './errors.js';
import type { PredictorLog, PredictorStore } from './predictor-types.js';
import { StorageMonitor, type StorageHealth } from './storage-health.js';

export interface StorageWatchOptions {
  readonly store: Pick<PredictorStore, 'listLatest' | 'ping'>;
  /** The pairs this instance serves. */
  readonly pairs: readonly Pair[];
  /** How long a listing of the published pairs is reused (the refresh interval). */
  readonly refreshMs: number;
  /** Longest wait for a listing of the models or a storage ping. */
  readonly probeWaitMs: number;
  readonly now: () => number;
  readonly log?: PredictorLog | undefined;
}

/**
 * What the predictor knows of storage: how its last calls went (for /readyz, without touching storage),
 * the listing of every latest.json (shared: a hung store gets one LIST at a time, not one per request),
 * the ping, and the bound on how long a request waits for any of them.
 */
export class StorageWatch {
  private readonly store: StorageWatchOptions['store'];
  private readonly pairs: readonly Pair[];
  private readonly refreshMs: number;
  private readonly probeWaitMs: number;
  private readonly now: () => number;
  private readonly log: PredictorLog | undefined;
  private readonly monitor: StorageMonitor;
  private listing: Promise<LatestListing> | null = null;
  private pinging: Promise<void> | null = null;
  private published: { readonly pairs: ReadonlySet<Pair>; readonly at: number } | null = null;
  /** Folders whose latest.json could not be read at the last listing. */
  private unreadableFolders: readonly string[] = [];

  public constructor(options: StorageWatchOptions) {
    this.store = options.store;
    this.pairs = options.pairs;
    this.refreshMs = options.refreshMs;
    this.probeWaitMs = options.probeWaitMs;
    this.now = options.now;
    this.log = options.log;
    this.monitor = new StorageMonitor(options.now);
  }

  public succeeded(): void {
    this.monitor.succeeded();
  }

  /** Records `error` if it is a storage failure; other errors (a corrupt model) say nothing of storage. */
  public failed(error: unknown): void {
    this.monitor.failed(error);
  }

  /** What the last storage calls said; never touches storage. */
  public health(): StorageHealth {
    return this.monitor.snapshot();
  }

  /**
   * `promise`, or StorageTimeoutError after `ms`; the timeout is a storage failure for /readyz. The
   * promise goes on: a later request shares it, or finds its result.
   */
  public waitFor<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
    return withDeadline(promise, ms, () => {
      const error = new StorageTimeoutError(operation, ms);
      this.monitor.failed(error);
      return error;
    });
  }

  /**
   * Pings storage, waiting at most probeWaitMs, and returns the storage health afterwards. One ping at
   * a time: callers during a hang share it, each with its own deadline.
   */
  public async check(): Promise<StorageHealth> {
    this.pinging ??= this.store
      .ping()
      .then(
        () => this.monitor.succeeded(),
        (error: unknown) => this.monitor.failed(error),
      )
      .finally(() => {
        this.pinging = null;
      });
    await this.waitFor(this.pinging, this.probeWaitMs, 'ping').catch(() => undefined);
    return this.monitor.snapshot();
  }

  /** Every latest.json, bounded by probeWaitMs; unreadable ones are logged and remembered. */
  public list(): Promise<LatestListing> {
    this.listing ??= this.store
      .listLatest()
      .then(
        (listing) => {
          this.monitor.succeeded();
          this.unreadableFolders = listing.unreadable.map((entry) => entry.folder);
          for (const { folder, error } of listing.unreadable) {
            this.log?.warn('skipping an unreadable latest.json', { folder, problems: error.problems });
          }
          return listing;
        },
        (error: unknown) => {
          this.monitor.failed(error);
          throw error;
        },
      )
      .finally(() => {
        this.listing = null;
      });
    return this.waitFor(this.listing, this.probeWaitMs, 'list models');
  }

  /**
   * Served pairs with a latest.json. A served pair whose pointer is unreadable counts: its status then
   * says why it cannot be served, instead of the pair silently disappearing.
   */
  public publishedIn(listing: LatestListing): Set<Pair> {
    const published = new Set<Pair>(listing.pointers.map((pointer) => pointer.pair));
    const unreadable = new Set(listing.unreadable.map((entry) => entry.folder));
    for (const pair of this.pairs) if (unreadable.has(pairSlug(pair))) published.add(pair);
    return published;
  }

  /** publishedIn(list()), listed at most once per refresh interval (forget() drops what was listed). */
  public async publishedPairs(): Promise<ReadonlySet<Pair>> {
    const cached = this.published;
    if (cached !== null && this.now() - cached.at < this.refreshMs) return cached.pairs;
    const pairs = this.publishedIn(await this.list());
    this.published = { pairs, at: this.now() };
    return pairs;
  }

  /** The next publishedPairs() lists again: a new version loaded, or a reload was asked for. */
  public forget(): void {
    this.published = null;
  }

  /**
   * Folders under the models prefix, not those of a served pair, whose latest.json could not be read at
   * the last listing (a served pair's own unreadable pointer shows in its status instead).
   */
  public unreadableEntries(): readonly string[] {
    const served = new Set(this.pairs.map((pair) => pairSlug(pair)));
    return this.unreadableFolders.filter((folder) => !served.has(folder));
  }
}
