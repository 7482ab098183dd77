import { ArtifactError, StorageUnavailableError } from '../adapters/storage/errors.js';
import { CandleValidationError } from '../core/market/errors.js';
import { ExchangeError } from '../adapters/market/errors.js';
import {
  MarketDataUnavailableError,
  MarketStaleError,
  ModelOutputError,
  PredictorError,
  StorageTimeoutError,
  UnknownPairError,
} from '../serving/errors.js';
import { ERROR_CODES, HttpError } from './http-errors.js';

/** Seconds a client should wait before asking again, by cause. */
export const RETRY_AFTER_SECONDS = {
  /** Exchange outages and rate limits are usually short. */
  exchange: 30,
  storage: 30,
  /** A broken model stays broken until the next publish; no point in asking every few seconds. */
  model: 60,
} as const;

/** How an error is answered: everything the response needs, and nothing internal. */
export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  /** Safe to show: never a stack, a bucket, a key or a host name. */
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The answer to any error a handler or a middleware can throw. The detailed message of a domain error
 * often names internals (bucket keys, endpoints), so 5xx answers say what happened in public terms and
 * the logs keep the rest. Anything not recognised (a bug, or a configuration the schema cannot catch,
 * such as an exchange id ccxt does not know) is a 500 that says nothing but the request id.
 */
export function describeError(error: unknown, requestId?: string): ErrorAnswer {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      code: error.code,
      message: error.expose ? error.message : internalMessage(requestId),
      headers: error.headers,
      details: error.details,
    };
  }
  if (error instanceof UnknownPairError) {
    return answer(404, ERROR_CODES.unknownPair, error.message, {}, { available: [...error.available] });
  }
  if (error instanceof ExchangeError) {
    const pair = error.pair === null ? '' : ` for ${error.pair}`;
    return error.transient
      ? unavailable(
          ERROR_CODES.exchangeUnavailable,
          `The exchange (${error.exchangeId}) did not answer${pair}; try again later`,
          RETRY_AFTER_SECONDS.exchange,
        )
      : answer(
          502,
          ERROR_CODES.exchangeError,
          `The exchange (${error.exchangeId}) refused the candle request${pair}`,
        );
  }
  if (error instanceof MarketStaleError) {
    return unavailable(
      ERROR_CODES.marketStale,
      `The exchange's newest candle for ${error.pair} is not the last closed one; no forecast is made ` +
        'from an old window; try again later',
      RETRY_AFTER_SECONDS.exchange,
    );
  }
  if (error instanceof MarketDataUnavailableError || error instanceof CandleValidationError) {
    return unavailable(
      ERROR_CODES.marketDataUnavailable,
      'The exchange has not enough recent candles to make a prediction; try again later',
      RETRY_AFTER_SECONDS.exchange,
    );
  }
  if (error instanceof StorageUnavailableError || error instanceof StorageTimeoutError) {
    return unavailable(
      ERROR_CODES.storageUnavailable,
      'Model storage is unreachable; try again later',
      RETRY_AFTER_SECONDS.storage,
    );
  }
  if (error instanceof ModelOutputError) {
    return unavailable(
      ERROR_CODES.modelUnavailable,
      `Model version ${error.version} for ${error.pair} gave no usable prediction (${error.value}); try again later`,
      RETRY_AFTER_SECONDS.model,
    );
  }
  if (error instanceof ArtifactError || error instanceof PredictorError) {
    return unavailable(
      ERROR_CODES.modelUnavailable,
      `The published model could not be loaded (${error.name}); try again later`,
      RETRY_AFTER_SECONDS.model,
    );
  }
  return answer(500, ERROR_CODES.internal, internalMessage(requestId));
}

function answer(
  status: number,
  code: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
  details: Readonly<Record<string, unknown>> = {},
): ErrorAnswer {
  return { status, code, message, headers, details };
}

/** A 503 that tells the client when to ask again. */
function unavailable(code: string, message: string, retryAfterSeconds: number): ErrorAnswer {
  return answer(503, code, message, retryAfter(retryAfterSeconds));
}

function retryAfter(seconds: number): Record<string, string> {
  return { 'Retry-After': String(seconds) };
}

function internalMessage(requestId: string | undefined): string {
  return requestId === undefined
    ? 'Internal error'
    : `Internal error; quote request id ${requestId} when reporting it`;
}
