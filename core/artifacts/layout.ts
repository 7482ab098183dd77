import { randomBytes } from 'node:crypto';
import { PairSchema, type Pair } from '../config/index.js';

/**
 * Where everything lives in the bucket:
 *
 * ```
 * {prefix}models/{slug}/latest.json                  the pointer readers start from, written last
 * {prefix}models/{slug}/{version}/model.onnx
 * {prefix}models/{slug}/{version}/scaler.json
 * {prefix}models/{slug}/{version}/metrics.json
 * {prefix}models/{slug}/{version}/manifest.json      sha256 and size of the three files above
 * {prefix}models/{slug}/{version}/manifest.sig       the training job's signature of manifest.json
 * ```
 */

/** The files a training run publishes, in upload order. */
export const ARTIFACT_FILES = ['model.onnx', 'scaler.json', 'metrics.json'] as const;
export type ArtifactName = (typeof ARTIFACT_FILES)[number];

/**
 * Files a version may have beside the three, listed in the manifest's `optional_files`: a version
 * published before one existed has none, and its readers fall back (distribution.json: B1's Gaussian).
 * scale.onnx is the shared scale network, there when distribution.json's scale is `shared_network`.
 * They are kept out of `files` because a reader from before them refuses unknown keys there, while it
 * drops unknown top-level keys.
 */
export const OPTIONAL_ARTIFACT_FILES = ['distribution.json', 'scale.onnx'] as const;
export type OptionalArtifactName = (typeof OPTIONAL_ARTIFACT_FILES)[number];

export const MANIFEST_FILE = 'manifest.json';
/** The publisher's signature of manifest.json's bytes, written after it and before latest.json. */
export const SIGNATURE_FILE = 'manifest.sig';
export const LATEST_FILE = 'latest.json';

/**
 * `20261126T064100Z` or `20261126T064100Z-a1b2`: a UTC timestamp to the second, so that the plain
 * string order is the time order, and an optional suffix that keeps two runs in the same second apart.
 */
export const VERSION_PATTERN = /^\d{8}T\d{6}Z(-[0-9a-z]{1,12})?$/;

/**
 * `BTC/USDT` -> `btc_usdt`. Lower case because S3 keys are case-sensitive and URLs read better in
 * lower case; nothing is lost, since a pair is upper case by definition (PairSchema). The slug is
 * never parsed back: latest.json stores the pair as written.
 */
export function pairSlug(pair: Pair): string {
  if (!PairSchema.safeParse(pair).success) {
    throw new RangeError(`Invalid pair "${pair}": expected BASE/QUOTE in capitals, for example BTC/USDT`);
  }
  return pair.replace('/', '_').toLowerCase();
}

/**
 * A new version id from the given clock. The default suffix is the clock's milliseconds (three digits)
 * then two random bytes: string order stays time order to the millisecond, which is what lets the
 * store refuse to move latest.json to an older version, and two publishes in the same millisecond still
 * write into different folders. Pass `suffix` for a reproducible id ('' for none).
 */
export function newVersion(now: Date, suffix?: string): string {
  if (Number.isNaN(now.getTime())) {
    throw new RangeError('Cannot make a version from an invalid date');
  }
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  const tail =
    suffix ?? `${String(now.getUTCMilliseconds()).padStart(3, '0')}${randomBytes(2).toString('hex')}`;
  const version = tail === '' ? stamp : `${stamp}-${tail}`;
  if (!isVersion(version)) {
    throw new RangeError(`Invalid version suffix "${tail}": expected 1-12 lower-case letters or digits`);
  }
  return version;
}

/**
 * How far in the future a version (its id, or its trained_at) may be and still count as "now": hosts kept
 * by NTP (Batch and Lambda use Amazon Time Sync) differ by milliseconds; a minute covers a laptop's drift
 * without letting a wrong clock publish a version that every later one looks older than.
 */
export const CLOCK_SKEW_TOLERANCE_SECONDS = 60;

/** The time (ms) a version id was made at, to the second; NaN for anything that is not a version. */
export function versionTime(version: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(version);
  if (match === null) return Number.NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

/** A version made more than the clock skew tolerance after `now` (ms): a wrong clock made it. */
export function isFutureVersion(version: string, now: number): boolean {
  return versionTime(version) > now + CLOCK_SKEW_TOLERANCE_SECONDS * 1_000;
}

export function isVersion(value: string): boolean {
  return VERSION_PATTERN.test(value);
}

/** Versions oldest first; the format makes string order the time order. */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...versions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function checkVersion(version: string): string {
  if (!isVersion(version)) {
    throw new RangeError(`Invalid version "${version}": expected a UTC stamp like 20261126T064100Z[-a1b2]`);
  }
  return version;
}

/** `{prefix}models/`: the folder that holds one folder per pair. */
export function modelsPrefix(prefix: string): string {
  return `${prefix}models/`;
}

/** `{prefix}models/{slug}/`: everything published for one pair. */
export function pairPrefix(prefix: string, pair: Pair): string {
  return `${modelsPrefix(prefix)}${pairSlug(pair)}/`;
}

/** `{prefix}models/{slug}/{version}/`: the files of one version. */
export function versionPrefix(prefix: string, pair: Pair, version: string): string {
  return `${pairPrefix(prefix, pair)}${checkVersion(version)}/`;
}

export function artifactKey(
  prefix: string,
  pair: Pair,
  version: string,
  name: ArtifactName | OptionalArtifactName,
): string {
  return `${versionPrefix(prefix, pair, version)}${name}`;
}

export function manifestKey(prefix: string, pair: Pair, version: string): string {
  return `${versionPrefix(prefix, pair, version)}${MANIFEST_FILE}`;
}

export function signatureKey(prefix: string, pair: Pair, version: string): string {
  return `${versionPrefix(prefix, pair, version)}${SIGNATURE_FILE}`;
}

export function latestKey(prefix: string, pair: Pair): string {
  return `${pairPrefix(prefix, pair)}${LATEST_FILE}`;
}
