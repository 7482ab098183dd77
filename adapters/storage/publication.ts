import { ARTIFACT_SIZE_LIMITS, type BoundedObject } from '../../core/artifacts/bounds.js';
import { sha256Hex } from '../../core/artifacts/checksum.js';
import {
  ARTIFACT_FILES,
  OPTIONAL_ARTIFACT_FILES,
  artifactKey,
  isFutureVersion,
  latestKey,
  manifestKey,
  signatureKey,
  type ArtifactName,
  type OptionalArtifactName,
} from '../../core/artifacts/layout.js';
import {
  ManifestSchema,
  ManifestModelSchema,
  type LatestPointer,
  type Manifest,
  type ManifestFile,
  type ManifestModel,
} from '../../core/artifacts/schemas.js';
import type { Pair } from '../../core/market/pair.js';
import { SIGNING_ALGORITHM, SigningKeyError, type SigningKey } from '../signing/signing-key.js';
import { issueLines } from '../../core/validation/issues.js';
import { checkPair, encodeJson, parseJson } from './documents.js';
import {
  ArtifactError,
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  IncompleteVersionError,
  ManifestError,
  PointerConflictError,
} from './errors.js';
import type { ObjectIo } from './object-io.js';
import { isConditionFailed } from './s3-errors.js';
import type { VersionReader } from './version-reader.js';

/** The bytes of one training run's output, by file name. */
export type ArtifactFiles = Readonly<Record<ArtifactName, Uint8Array>>;

export interface PublishInput {
  readonly pair: Pair;
  /** From newVersion(); a version is written once and never overwritten. */
  readonly version: string;
  readonly files: ArtifactFiles;
  /** Uploaded after the three files and listed in the manifest's optional_files. */
  readonly optionalFiles?: Readonly<Partial<Record<OptionalArtifactName, Uint8Array>>>;
  readonly model: ManifestModel;
}

const CONTENT_TYPES: Readonly<Record<ArtifactName, string>> = {
  'model.onnx': 'application/octet-stream',
  'scaler.json': 'application/json',
  'metrics.json': 'application/json',
};
const OPTIONAL_CONTENT_TYPES: Readonly<Record<OptionalArtifactName, string>> = {
  'distribution.json': 'application/json',
  'scale.onnx': 'application/octet-stream',
};
const JSON_TYPE = 'application/json';

/** Conditional writes of latest.json tried before giving up: each retry means another writer won. */
const POINTER_ATTEMPTS = 8;

/** What a publish did to latest.json. */
export interface PublishOutcome {
  readonly manifest: Manifest;
  /** latest.json after this publish: this version, or a newer one another run made live first. */
  readonly latest: LatestPointer;
  /**
   * True when latest.json now points at this version. False when a newer version was live already
   * (a retried or slow run that lost the race): the files and manifest stay, nothing served changes,
   * and that is not a failure.
   */
  readonly promoted: boolean;
  /** Why latest.json did not move to this version, when it did not; null when it did. */
  readonly notPromotedBecause: string | null;
}

/**
 * The publication protocol: a reader never sees half a version. The files first, then manifest.json
 * with their sha256 (write-once), then latest.json, the one object readers start from, moved only
 * forward and only to a complete version, with writes conditional on the pointer just read. A failure
 * at any step before the last leaves latest.json (and so what is served) as it was.
 */
export class Publisher {
  /**
   * @param key signs each manifest; null publishes nothing (a store made to read, list or prune).
   */
  public constructor(
    private readonly objects: ObjectIo,
    private readonly reader: VersionReader,
    private readonly prefix: string,
    private readonly clock: () => Date,
    private readonly key: SigningKey | null,
  ) {}

  /**
   * Uploads the three files, then manifest.json, then moves latest.json to the version unless a newer
   * one is live already (see PublishOutcome). Refuses a version that already has a manifest: readers
   * may hold that manifest, and replacing the files under it would turn their next read into an
   * integrity error. Concurrent publishes of one pair (a Batch retry overlapping the next hourly run)
   * are safe: latest.json only ever moves to a newer, complete version (see advanceLatest).
   */
  public async publishVersion(input: PublishInput): Promise<PublishOutcome> {
    const pair = checkPair(input.pair);
    const key = manifestKey(this.prefix, pair, input.version);
    const signer = this.key;
    if (signer === null) {
      throw new SigningKeyError(
        `Cannot publish ${pair} ${input.version}: this store has no signing key (storage.signing_key), and serving refuses unsigned versions`,
      );
    }
    const model = ManifestModelSchema.safeParse(input.model);
    if (!model.success) {
      throw new ManifestError(
        key,
        issueLines(model.error).map((problem) => `model.${problem}`),
      );
    }
    for (const name of ARTIFACT_FILES) {
      if (!(input.files[name] instanceof Uint8Array)) {
        throw new ArtifactError(`Cannot publish ${pair} ${input.version}: ${name} is missing`);
      }
      checkSize(artifactKey(this.prefix, pair, input.version, name), input.files[name].byteLength, name);
    }
    for (const name of OPTIONAL_ARTIFACT_FILES) {
      const bytes = input.optionalFiles?.[name];
      if (bytes !== undefined)
        checkSize(artifactKey(this.prefix, pair, input.version, name), bytes.byteLength, name);
    }
    if (await this.objects.exists(key)) {
      throw new ArtifactError(`${pair} version ${input.version} is already published (${key})`);
    }

    const files: Partial<Record<ArtifactName, ManifestFile>> = {};
    // One at a time: a failure stops the run before anything else is written, and the files are small.
    for (const name of ARTIFACT_FILES) {
      const bytes = input.files[name];
      const fileKey = artifactKey(this.prefix, pair, input.version, name);
      const sha256 = sha256Hex(bytes);
      await this.writeOnce(fileKey, bytes, CONTENT_TYPES[name], sha256);
      files[name] = { key: fileKey, sha256, bytes: bytes.byteLength };
    }
    const optionalFiles: Partial<Record<OptionalArtifactName, ManifestFile>> = {};
    for (const name of OPTIONAL_ARTIFACT_FILES) {
      const bytes = input.optionalFiles?.[name];
      if (bytes === undefined) continue;
      const fileKey = artifactKey(this.prefix, pair, input.version, name);
      const sha256 = sha256Hex(bytes);
      await this.writeOnce(fileKey, bytes, OPTIONAL_CONTENT_TYPES[name], sha256);
      optionalFiles[name] = { key: fileKey, sha256, bytes: bytes.byteLength };
    }

    const checked = ManifestSchema.safeParse({
      schema_version: 1,
      pair,
      version: input.version,
      created_at: this.clock().toISOString(),
      files,
      ...(Object.keys(optionalFiles).length > 0 ? { optional_files: optionalFiles } : {}),
      model: model.data,
    });
    if (!checked.success) {
      throw new ManifestError(key, issueLines(checked.error));
    }
    // Returned as a reader will parse it, so the caller holds exactly what was written.
    const bytes = encodeJson(checked.data);
    const manifest = parseJson(key, bytes, ManifestSchema);
    try {
      // Write-once, also against a run with the same version that checked exists() at the same time.
      await this.objects.put(key, bytes, { contentType: JSON_TYPE, condition: { ifNoneMatch: true } });
    } catch (error) {
      if (isConditionFailed(error)) {
        throw new ArtifactError(`${pair} version ${input.version} is already published (${key})`, {
          cause: error,
        });
      }
      throw error;
    }
    // The signature last: a version is complete, for a reader, only once it is signed.
    const signature = encodeJson({
      schema_version: 1,
      algorithm: SIGNING_ALGORITHM,
      key_id: signer.keyId,
      signature: Buffer.from(await signer.sign(bytes)).toString('base64'),
    });
    await this.objects.put(signatureKey(this.prefix, pair, input.version), signature, {
      contentType: JSON_TYPE,
      condition: { ifNoneMatch: true },
    });
    const { latest, promoted, notPromotedBecause } = await this.advanceLatest(pair, input.version);
    return { manifest, latest, promoted, notPromotedBecause };
  }

  /**
   * Writes a version's file once (If-None-Match: *; the deployed bucket policy refuses any other write
   * in a version folder). A file already there with the same size and sha256 is a retried upload that
   * landed: kept. Different bytes under the same key are refused, never replaced.
   */
  private async writeOnce(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    sha256: string,
  ): Promise<void> {
    try {
      await this.objects.put(key, bytes, {
        contentType,
        metadata: { sha256 },
        condition: { ifNoneMatch: true },
      });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const stored = await this.objects.headOrNull(key);
      if (stored !== null && stored.bytes === bytes.byteLength) {
        // Written without its sha256 in the metadata (another client): the bytes themselves tell.
        const same =
          stored.sha256 === undefined
            ? sha256Hex(
                await this.objects.get(key, { bytes: bytes.byteLength, bound: 'the file being written' }),
              ) === sha256
            : stored.sha256 === sha256;
        if (same) return;
      }
      throw new ArtifactError(`${key} exists with other contents; a version's files are written once`, {
        cause: error,
      });
    }
  }

  /**
   * Points latest.json at an already published version, older or newer than the live one: an
   * operator's rollback, or a re-promotion. The version's files are checked against its manifest
   * first, and the write is conditional on the pointer read, so a publish landing meanwhile is never
   * overwritten (PointerConflictError: read what is live and decide again).
   */
  public async promote(pair: Pair, version: string): Promise<LatestPointer> {
    const checkedPair = checkPair(pair);
    if (isFutureVersion(version, this.clock().getTime())) {
      throw new ArtifactError(
        `Refusing to promote ${checkedPair} ${version}: it is in the future of this clock (${this.clock().toISOString()})`,
      );
    }
    const stored = await this.reader.readStoredPointer(checkedPair);
    await this.verifyComplete(checkedPair, version);
    const pointer = await this.writeLatest(checkedPair, version, stored.etag);
    if (pointer === null) throw new PointerConflictError(latestKey(this.prefix, checkedPair), 1);
    return pointer;
  }

  /**
   * Moves latest.json to `version` if it is newer than the live one and complete, with a write
   * conditional on the pointer just read (If-Match its ETag, or If-None-Match * when there is none).
   * A refused write means another publisher moved the pointer: read it again and decide again. So the
   * pointer never goes back to an older version and never names a version whose files are not all
   * there, whatever the interleaving, on any store that honours conditional writes (AWS S3 since
   * 2024, MinIO, the local server). An unreadable latest.json counts as no pointer, so a publish heals it.
   */
  private async advanceLatest(
    pair: Pair,
    version: string,
  ): Promise<{ latest: LatestPointer; promoted: boolean; notPromotedBecause: string | null }> {
    let verified = false;
    for (let attempt = 1; attempt <= POINTER_ATTEMPTS; attempt += 1) {
      const stored = await this.reader.readStoredPointer(pair);
      // A live version from a clock that ran ahead would look newer than every honest one for as long
      // as that clock was ahead: it does not hold the pointer, and a current version replaces it.
      const live = stored.pointer;
      const liveHolds = live !== null && !isFutureVersion(live.version, this.clock().getTime());
      if (live !== null && liveHolds && live.version >= version) {
        // Equal: our own write landed though its answer was lost (a version is published once).
        const promoted = live.version === version;
        return {
          latest: live,
          promoted,
          notPromotedBecause: promoted ? null : `a newer version, ${live.version}, is live already`,
        };
      }
      if (!verified) {
        try {
          await this.verifyComplete(pair, version);
        } catch (error) {
          // Files pruned because a newer version went live meanwhile: lost the race, not broken.
          const now =
            error instanceof IncompleteVersionError ? await this.reader.readStoredPointer(pair) : stored;
          if (now.pointer !== null && now.pointer.version > version) {
            return {
              latest: now.pointer,
              promoted: false,
              notPromotedBecause: `a newer version, ${now.pointer.version}, went live meanwhile`,
            };
          }
          throw error;
        }
        verified = true;
      }
      const written = await this.writeLatest(pair, version, stored.etag);
      if (written !== null) {
        return { latest: written, promoted: true, notPromotedBecause: null };
      }
    }
    throw new PointerConflictError(latestKey(this.prefix, pair), POINTER_ATTEMPTS);
  }

  /**
   * Every file the manifest lists is there with its recorded size and sha256 (from the object's
   * metadata: a HEAD per file, no download). IncompleteVersionError otherwise.
   */
  private async verifyComplete(pair: Pair, version: string): Promise<Manifest> {
    let manifest: Manifest;
    try {
      manifest = await this.reader.readManifest(pair, version);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) {
        throw new IncompleteVersionError(pair, version, [`no ${manifestKey(this.prefix, pair, version)}`], {
          cause: error,
        });
      }
      throw error;
    }
    const problems: string[] = [];
    for (const name of ARTIFACT_FILES) {
      const entry = manifest.files[name];
      const head = await this.objects.headOrNull(entry.key);
      if (head === null) {
        problems.push(`${entry.key} is missing`);
      } else if (head.bytes !== entry.bytes || head.sha256 !== entry.sha256) {
        problems.push(
          `${entry.key} holds ${head.bytes ?? '?'} bytes with sha256 ${head.sha256 ?? '(none recorded)'}, ` +
            `the manifest says ${entry.bytes} bytes with sha256 ${entry.sha256}`,
        );
      }
    }
    if (problems.length > 0) {
      throw new IncompleteVersionError(pair, version, problems);
    }
    return manifest;
  }

  /**
   * Writes latest.json if it still has ETag `etag` (or still does not exist, for null); null when the
   * store refused because it changed.
   */
  private async writeLatest(pair: Pair, version: string, etag: string | null): Promise<LatestPointer | null> {
    const pointer: LatestPointer = {
      pair,
      version,
      manifest_key: manifestKey(this.prefix, pair, version),
      published_at: this.clock().toISOString(),
    };
    // A single PUT replaces the object whole: readers see the old pointer or the new one, never a mix.
    try {
      await this.objects.put(latestKey(this.prefix, pair), encodeJson(pointer), {
        contentType: JSON_TYPE,
        cacheControl: 'no-cache',
        condition: etag === null ? { ifNoneMatch: true } : { ifMatch: etag },
      });
    } catch (error) {
      // 404 on If-Match: the pointer was deleted since we read it; changed all the same.
      if (isConditionFailed(error) || (etag !== null && error instanceof ArtifactNotFoundError)) return null;
      throw error;
    }
    return pointer;
  }
}

function checkSize(key: string, bytes: number, name: BoundedObject): void {
  const limit = ARTIFACT_SIZE_LIMITS[name];
  if (bytes > limit) throw new ArtifactTooLargeError(key, bytes, limit, `ARTIFACT_SIZE_LIMITS['${name}']`);
}
