import { sha256Hex } from '../../core/artifacts/checksum.js';
import {
  ARTIFACT_FILES,
  LATEST_FILE,
  OPTIONAL_ARTIFACT_FILES,
  artifactKey,
  latestKey,
  manifestKey,
  modelsPrefix,
  type ArtifactName,
  type OptionalArtifactName,
} from '../../core/artifacts/layout.js';
import {
  LatestPointerSchema,
  ManifestSchema,
  type LatestPointer,
  type Manifest,
  type ManifestFile,
} from '../../core/artifacts/schemas.js';
import type { Pair } from '../../core/market/pair.js';
import { checkPair, parseJson } from './documents.js';
import { ArtifactIntegrityError, ArtifactNotFoundError, ManifestError } from './errors.js';
import type { ObjectIo } from './object-io.js';

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
  public constructor(
    private readonly objects: ObjectIo,
    private readonly prefix: string,
  ) {}

  /** The version served for `pair`, or null when nothing was ever published for it. */
  public async readLatest(pair: Pair): Promise<LatestPointer | null> {
    const checkedPair = checkPair(pair);
    const key = latestKey(this.prefix, checkedPair);
    const bytes = await this.objects.getOrNull(key);
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
    const object = await this.objects.getWithEtag(key);
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

  /** The manifest of one version; ArtifactNotFoundError when that version has none. */
  public async readManifest(pair: Pair, version: string): Promise<Manifest> {
    const checkedPair = checkPair(pair);
    const key = manifestKey(this.prefix, checkedPair, version);
    let bytes: Uint8Array;
    try {
      bytes = await this.objects.get(key);
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
    return this.readEntry(manifest.files[name]);
  }

  /** An optional file's bytes, checked like readFile's; null when the version was published without it. */
  public async readOptionalFile(manifest: Manifest, name: OptionalArtifactName): Promise<Uint8Array | null> {
    const entry = manifest.optional_files?.[name];
    return entry === undefined ? null : this.readEntry(entry);
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
        const bytes = await this.objects.getOrNull(key);
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

  private async readEntry(entry: ManifestFile): Promise<Uint8Array> {
    const bytes = await this.objects.get(entry.key);
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
