import { StorageUnavailableError } from '../adapters/storage/errors.js';
import { StorageTimeoutError } from './errors.js';

/** What the last storage calls said, as /readyz reports it; read without touching storage. */
export interface StorageHealth {
  /** Whether the most recent storage call that finished succeeded (true before any). */
  readonly ok: boolean;
  /** Clock time (ms) of the last failure or timeout, or null if none. */
  readonly lastErrorAt: number | null;
  /** The last failure, for the logs and the public message the handlers make of it. */
  readonly lastError: Error | null;
}

/** Failures that say storage is unreachable or too slow, as opposed to a bad model or a bad pointer. */
export function isStorageFailure(error: unknown): error is Error {
  return error instanceof StorageUnavailableError || error instanceof StorageTimeoutError;
}

/**
 * Remembers how the predictor's storage calls went, so that readiness can say "storage is failing
 * since T" at once, while the calls themselves run (or hang) in the background.
 */
export class StorageMonitor {
  private ok = true;
  private lastErrorAt: number | null = null;
  private lastError: Error | null = null;

  public constructor(private readonly now: () => number) {}

  public succeeded(): void {
    this.ok = true;
  }

  /** Records `error` if it is a storage failure; other errors (a corrupt model) say nothing of storage. */
  public failed(error: unknown): void {
    if (!isStorageFailure(error)) return;
    this.ok = false;
    this.lastErrorAt = this.now();
    this.lastError = error;
  }

  public snapshot(): StorageHealth {
    return { ok: this.ok, lastErrorAt: this.lastErrorAt, lastError: this.lastError };
  }
}
