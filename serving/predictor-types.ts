import type { ArtifactStore } from '../adapters/storage/store.js';

/** What the predictor needs from the artifact store. */
export type PredictorStore = Pick<
  ArtifactStore,
  'readLatest' | 'readManifest' | 'readFile' | 'readOptionalFile' | 'listLatest' | 'ping'
>;

/** Where the predictor reports swaps and kept models; Powertools' Logger fits, and so does console. */
export interface PredictorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
