import {
  MANIFEST_FILE,
  SIGNATURE_FILE,
  isVersion,
  pairPrefix,
  sortVersions,
} from '../../core/artifacts/layout.js';
import type { Pair } from '../../core/market/pair.js';
import { checkPair } from './documents.js';
import type { ObjectIo } from './object-io.js';
import type { VersionReader } from './version-reader.js';

/**
 * How long a version folder without a manifest must have gone unwritten before a prune may take it
 * for an abandoned run. A publish writes its four objects seconds apart; an hour leaves room for a
 * slow link and clock skew between the writer and the store, and an abandoned folder still goes at
 * the next hourly run's prune.
 */
export const PRUNE_GRACE_MS = 60 * 60 * 1000;

export interface PruneOptions {
  /** A folder without a manifest is only deleted once nothing was written in it for this long. */
  readonly graceMs?: number;
}

/**
 * One version folder as found by listing: its keys, whether it is complete (its signature, written last,
 * is there), its last write.
 */
interface VersionFolder {
  readonly keys: string[];
  complete: boolean;
  lastModified: number;
}

/** Which versions of a pair are kept, and deleting the rest without ever touching what may be served. */
export class Retention {
  public constructor(
    private readonly objects: ObjectIo,
    private readonly reader: VersionReader,
    private readonly prefix: string,
    private readonly clock: () => Date,
  ) {}

  /** Versions of `pair` whose signature was written (complete publishes), oldest first. */
  public async listVersions(pair: Pair): Promise<string[]> {
    const folders = await this.scan(checkPair(pair));
    return sortVersions([...folders].filter(([, folder]) => folder.complete).map(([version]) => version));
  }

  /**
   * Deletes the versions that can no longer be served or become live, and returns them, oldest first:
   * those older than the live version (latest.json) that are not among the newest `keep` complete
   * ones. A folder without a manifest is deleted only when it is also older than the live version and
   * nothing was written in it for `graceMs` (default PRUNE_GRACE_MS): until then it may be a publish
   * still uploading. Nothing newer than the live version is touched (it may be a publish about to move
   * latest.json), nor anything at all when no version is live. With keep >= 2 a reader that read the
   * previous latest.json just before a publish can still fetch its files.
   *
   * A failure here never changes what is served: after a successful publish it is a warning, not a
   * failed run (it throws ArtifactError, StorageUnavailableError when storage failed).
   */
  public async pruneVersions(pair: Pair, keep: number, options: PruneOptions = {}): Promise<string[]> {
    if (!Number.isInteger(keep) || keep < 1) {
      throw new RangeError(`keep must be a positive integer, got ${keep}`);
    }
    const graceMs = options.graceMs ?? PRUNE_GRACE_MS;
    if (!(graceMs >= 0)) {
      throw new RangeError(`graceMs must be 0 or more, got ${graceMs}`);
    }
    const checkedPair = checkPair(pair);
    // Read first: a missing or broken pointer must stop the prune, never widen it.
    const latest = await this.reader.readLatest(checkedPair);
    if (latest === null) {
      return [];
    }
    const folders = await this.scan(checkedPair);
    const complete = sortVersions(
      [...folders].filter(([, folder]) => folder.complete).map(([version]) => version),
    );
    const kept = new Set(complete.slice(-keep));
    const settledBefore = this.clock().getTime() - graceMs;
    const doomed = sortVersions(
      [...folders]
        .filter(
          ([version, folder]) =>
            version < latest.version &&
            !kept.has(version) &&
            (folder.complete || folder.lastModified <= settledBefore),
        )
        .map(([version]) => version),
    );
    for (const version of doomed) {
      const keys = folders.get(version)?.keys ?? [];
      // The signature goes first, then the manifest, so a version is never listed as complete, nor
      // readable, while its files disappear.
      const rank = (key: string): number =>
        key.endsWith(`/${SIGNATURE_FILE}`) ? 0 : key.endsWith(`/${MANIFEST_FILE}`) ? 1 : 2;
      const ordered = [...keys].sort((a, b) => rank(a) - rank(b));
      for (const key of ordered) {
        // One DeleteObject per key rather than DeleteObjects: the multi-delete needs a body checksum
        // that S3-compatible servers handle unevenly, and s3rver runs its deletes concurrently and
        // answers 500 when two keys share a folder. A version is four objects; pruning runs once a publish.
        await this.objects.delete(key);
      }
    }
    return doomed;
  }

  /** Version folders under the pair, with their keys; latest.json and stray keys are ignored. */
  private async scan(pair: Pair): Promise<Map<string, VersionFolder>> {
    const base = pairPrefix(this.prefix, pair);
    const { keys, modified } = await this.objects.list(base);
    const folders = new Map<string, VersionFolder>();
    for (const [index, key] of keys.entries()) {
      const [version, ...rest] = key.slice(base.length).split('/');
      if (version === undefined || !isVersion(version) || rest.length === 0) {
        continue;
      }
      const folder = folders.get(version) ?? { keys: [], complete: false, lastModified: 0 };
      folder.keys.push(key);
      // A key without a date counts as written now: unknown age is never old enough to prune.
      folder.lastModified = Math.max(folder.lastModified, modified[index] ?? Number.POSITIVE_INFINITY);
      if (rest.join('/') === SIGNATURE_FILE) {
        folder.complete = true;
      }
      folders.set(version, folder);
    }
    return folders;
  }
}
