import { ARTIFACT_SIZE_LIMITS, type BoundedObject } from '../../core/artifacts/bounds.js';
import { sha256Hex } from '../../core/artifacts/checksum.js';
import {
  ARTIFACT_FILES,
  LATEST_FILE,
  OPTIONAL_ARTIFACT_FILES,
  artifactKey,
  latestKey,
  manifestKey,
  modelsPrefix,
  signatureKey,
  type ArtifactName,
  type OptionalArtifactName,
} from '../../core/artifacts/layout.js';
import {
  LatestPointerSchema,
  ManifestSchema,
  ManifestSignatureSchema,
  type LatestPointer,
  type Manifest,
  type ManifestFile,
} from '../../core/artifacts/schemas.js';
import type { Pair } from '../../core/market/pair.js';
import type { VerifyingKey } from '../signing/signing-key.js';
import { checkPair, parseJson } from './documents.js';
import {
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  ManifestError,
  UnverifiedVersionError,
} from './errors.js';
import type { ByteLimit, ObjectIo } from './object-io.js';

/** The read bound of an object, named for the refusal's message. */
export function limitOf(name: BoundedObject, atMost: number = Number.POSITIVE_INFINITY): ByteLimit {
  return { bytes: Math.min(ARTIFACT_SIZE_LIMITS[name], atMost), bound: `ARTIFACT_SIZE_LIMITS['${name}']` };
}

/** A latest.json that exists but cannot be used: its folder under the models prefix, and why. */
export interface UnreadableLatest {
  /** The folder's name, for example `btc_usdt` (pairSlug of the pair it should be about). */
  readonly folder: string;
  readonly error: ManifestError;
}

/** What listLatest() found. */
export interface LatestListing {
  /** Readable pointers, sorted by pair. */
  readonly pointers: LatestPointer[];
  readonly unreadable: UnreadableLatest[];
}

/** latest.json as stored, with the ETag a conditional write must match; pointer null when unreadable. */
export interface StoredPointer {
  readonly pointer: LatestPointer | null;
  readonly etag: string | null;
}

/**
 * Reading a published version the way a server must: latest.json, then the manifest it names, then each
 * file checked against the manifest's size and sha256. Anything that contradicts its place in the bucket
 * (a pointer stored under another pair, a manifest about another version) is a ManifestError.
 */
export class VersionReader {
  /**
   * @param key what a manifest's signature must verify with; null reads no version at all (a store made
   *   only to list or prune).
   */
  public constructor(
    private readonly objects: ObjectIo,
    private readonly prefix: string,
    private readonly key: VerifyingKey | null,
  ) {}

  /** The version served for `pair`, or null when nothing was ever published for it. */
  public async readLatest(pair: Pair): Promise<LatestPointer | null> {
    const checkedPair = checkPair(pair);
    const key = latestKey(this.prefix, checkedPair);
    const bytes = await this.objects.getOrNull(key, limitOf('latest.json'));
    if (bytes === null) {
      return null;
    }
    const pointer = parseJson(key, bytes, LatestPointerSchema);
    const problems: string[] = [];
    if (pointer.pair !== checkedPair) {
      problems.push(`pair is ${pointer.pair}, but the pointer is stored under ${checkedPair}`);
    }
    const expectedKey = manifestKey(this.prefix, checkedPair, pointer.version);
    if (pointer.manifest_key !== expectedKey) {
      problems.push(`manifest_key is ${pointer.manifest_key}, expected ${expectedKey}`);
    }
    if (problems.length > 0) {
      throw new ManifestError(key, problems);
    }
    return pointer;
  }

  /** latest.json and its ETag; a pointer that does not parse or lies about its place counts as none. */
  public async readStoredPointer(pair: Pair): Promise<StoredPointer> {
    const key = latestKey(this.prefix, pair);
    const object = await this.objects.getWithEtag(key, limitOf('latest.json'));
    if (object === null) {
      return { pointer: null, etag: null };
    }
    try {
      const pointer = parseJson(key, object.bytes, LatestPointerSchema);
      const valid =
        pointer.pair === pair && pointer.manifest_key === manifestKey(this.prefix, pair, pointer.version);
      return { pointer: valid ? pointer : null, etag: object.etag };
    } catch (error) {
      if (error instanceof ManifestError) return { pointer: null, etag: object.etag };
      throw error;
    }
  }

  /**
   * The manifest of one version, once its signature verified with the configured key (before anything of
   * it is parsed: its bytes are what was signed). ArtifactNotFoundError when that version has none;
   * UnverifiedVersionError when it is unsigned, signed by another key, or altered.
   */
  public async readManifest(pair: Pair, version: string): Promise<Manifest> {
    const checkedPair = checkPair(pair);
    const key = manifestKey(this.prefix, checkedPair, version);
    let bytes: Uint8Array;
    try {
      bytes = await this.objects.get(key, limitOf('manifest.json'));
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) {
        throw new ArtifactNotFoundError(
          `${checkedPair} version ${version} is not published (no ${key})`,
          key,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    await this.verifySignature(checkedPair, version, bytes);
    const manifest = parseJson(key, bytes, ManifestSchema);
    const problems: string[] = [];
    if (manifest.pair !== checkedPair) {
      problems.push(`pair is ${manifest.pair}, expected ${checkedPair}`);
    }
    if (manifest.version !== version) {
      problems.push(`version is ${manifest.version}, expected ${version}`);
    }
    for (const name of ARTIFACT_FILES) {
      const expected = artifactKey(this.prefix, checkedPair, version, name);
      if (manifest.files[name].key !== expected) {
        problems.push(`files.${name}.key is ${manifest.files[name].key}, expected ${expected}`);
      }
    }
    for (const name of OPTIONAL_ARTIFACT_FILES) {
      const entry = manifest.optional_files?.[name];
      const expected = artifactKey(this.prefix, checkedPair, version, name);
      if (entry !== undefined && entry.key !== expected) {
        problems.push(`optional_files.${name}.key is ${entry.key}, expected ${expected}`);
      }
    }
    if (problems.length > 0) {
      throw new ManifestError(key, problems);
    }
    return manifest;
  }

  /** The bytes of one file of a manifest, checked against its recorded size and sha256. */
  public async readFile(manifest: Manifest, name: ArtifactName): Promise<Uint8Array> {
    return this.readEntry(manifest.files[name], name);
  }

  /** An optional file's bytes, checked like readFile's; null when the version was published without it. */
  public async readOptionalFile(manifest: Manifest, name: OptionalArtifactName): Promise<Uint8Array | null> {
    const entry = manifest.optional_files?.[name];
    return entry === undefined ? null : this.readEntry(entry, name);
  }

  /**
   * Every latest.json under the prefix, read in parallel: the readable pointers, and apart the ones
   * that cannot be parsed (a stray or corrupt file), so that one bad pointer does not hide the others.
   * Storage failures still throw: a partial answer would look like a smaller store.
   */
  public async listLatest(): Promise<LatestListing> {
    const base = modelsPrefix(this.prefix);
    const { prefixes } = await this.objects.list(base, '/');
    const read = await Promise.all(
      prefixes.map(async (folder): Promise<LatestPointer | UnreadableLatest | null> => {
        const key = `${folder}${LATEST_FILE}`;
        const bytes = await this.objects.getOrNull(key, limitOf('latest.json'));
        if (bytes === null) return null;
        try {
          return parseJson(key, bytes, LatestPointerSchema);
        } catch (error) {
          if (!(error instanceof ManifestError)) throw error;
          return { folder: folder.slice(base.length, -1), error };
        }
      }),
    );
    const pointers: LatestPointer[] = [];
    const unreadable: UnreadableLatest[] = [];
    for (const entry of read) {
      if (entry === null) continue;
      if ('error' in entry) unreadable.push(entry);
      else pointers.push(entry);
    }
    pointers.sort((a, b) => (a.pair < b.pair ? -1 : a.pair > b.pair ? 1 : 0));
    return { pointers, unreadable };
  }

  /** manifest.sig of the version, checked against `manifestBytes` with the configured key. */
  private async verifySignature(pair: Pair, version: string, manifestBytes: Uint8Array): Promise<void> {
    const refuse = (reason: string, cause?: unknown): never => {
      throw new UnverifiedVersionError(pair, version, reason, cause === undefined ? undefined : { cause });
    };
    if (this.key === null) refuse('this reader has no key to verify signatures with (storage.signing_key)');
    const key = this.key as VerifyingKey;
    const sigKey = signatureKey(this.prefix, pair, version);
    const sigBytes = await this.objects.getOrNull(sigKey, limitOf('manifest.sig'));
    if (sigBytes === null) refuse(`it has no ${sigKey}: it is unsigned`);
    let signature: Uint8Array;
    try {
      const parsed = parseJson(sigKey, sigBytes as Uint8Array, ManifestSignatureSchema);
      signature = Buffer.from(parsed.signature, 'base64');
    } catch (error) {
      return refuse(`${sigKey} is not a signature (${(error as Error).message})`, error);
    }
    if (!(await key.verify(manifestBytes, signature))) {
      refuse(`its manifest's signature does not verify with ${key.keyId}: signed by another key, or altered`);
    }
  }

  private async readEntry(
    entry: ManifestFile,
    name: ArtifactName | OptionalArtifactName,
  ): Promise<Uint8Array> {
    const limit = limitOf(name);
    // The manifest is signed: a size it records over the bound is refused before any byte is fetched,
    // and no more bytes than it records are read.
    if (entry.bytes > limit.bytes)
      throw new ArtifactTooLargeError(entry.key, entry.bytes, limit.bytes, limit.bound);
    const bytes = await this.objects.get(entry.key, {
      bytes: entry.bytes,
      bound: 'its size in the manifest',
      over: (key, size) =>
        new ArtifactIntegrityError(
          key,
          entry.sha256,
          '(not read)',
          `${size} bytes stored, ${entry.bytes} expected`,
        ),
    });
    const actual = sha256Hex(bytes);
    if (actual !== entry.sha256 || bytes.byteLength !== entry.bytes) {
      throw new ArtifactIntegrityError(
        entry.key,
        entry.sha256,
        actual,
        `${bytes.byteLength} bytes read, ${entry.bytes} expected`,
      );
    }
    return bytes;
  }
}
