import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Same floor as serving.api_keys in the configuration schema. */
export const MIN_API_KEY_LENGTH = 8;

/** A key from API_KEYS that the configuration schema would have refused. */
export class ApiKeyError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ApiKeyError';
  }
}

/**
 * The keys the local adapter accepts in `x-api-key`: config.serving.api_keys, then the comma-separated
 * API_KEYS of the environment (so a developer can add a key without editing conf/). Deployed, API
 * Gateway's usage plan holds the keys instead.
 */
export function resolveApiKeys(
  configured: readonly string[],
  environment: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
  const fromEnvironment = (environment['API_KEYS'] ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  for (const key of fromEnvironment) {
    if (key.length < MIN_API_KEY_LENGTH) {
      throw new ApiKeyError(
        `API_KEYS: an API key needs at least ${MIN_API_KEY_LENGTH} characters, got one of ${key.length}`,
      );
    }
  }
  return [...new Set([...configured, ...fromEnvironment])];
}

/** A key for this run only, when neither the configuration nor the environment names one. */
export function generateDevKey(): string {
  return `dev-${randomBytes(16).toString('hex')}`;
}

/** What API Gateway puts in requestContext.identity for a key it accepted. */
export interface AcceptedKey {
  readonly key: string;
  /** A stable 10-character id, the shape of API Gateway's apiKeyId, safe to log. */
  readonly id: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `x-api-key` values. Digests are compared in constant time: the adapter only listens on
 * loopback, but a key check that leaks timing is a bad pattern to leave in a codebase people copy.
 */
export class ApiKeyChecker {
  private readonly keys: readonly { readonly key: string; readonly digest: Buffer }[];

  public constructor(keys: readonly string[]) {
    this.keys = keys.map((key) => ({ key, digest: digest(key) }));
  }

  public get size(): number {
    return this.keys.length;
  }

  /** The accepted key, or null when `candidate` is missing or not one of the keys. */
  public check(candidate: string | undefined): AcceptedKey | null {
    if (candidate === undefined || candidate === '') return null;
    const presented = digest(candidate);
    let match: string | null = null;
    // Every key is compared, so the time taken does not say which one (if any) matched.
    for (const entry of this.keys) {
      if (timingSafeEqual(entry.digest, presented)) match = entry.key;
    }
    return match === null ? null : { key: match, id: apiKeyId(match) };
  }
}

export function apiKeyId(key: string): string {
  return createHash('sha256').update(`api-key-id:${key}`, 'utf8').digest('hex').slice(0, 10);
}
