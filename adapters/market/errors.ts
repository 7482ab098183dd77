import { MarketDataError } from '../../core/market/errors.js';

/** The configured exchange id is not one ccxt knows. */
export class UnknownExchangeError extends MarketDataError {
  public readonly exchangeId: string;
  public readonly suggestions: readonly string[];

  public constructor(exchangeId: string, suggestions: readonly string[], known: number) {
    const hint =
      suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : '';
    super(
      `"${exchangeId}" is not a ccxt exchange id (this ccxt knows ${known} exchanges, listed in ccxt.exchanges; ids are lower case, for example "binance").${hint}`,
    );
    this.name = 'UnknownExchangeError';
    this.exchangeId = exchangeId;
    this.suggestions = suggestions;
  }
}

/**
 * The configured exchange id is not one of those this build carries: the Lambda functions' bundles hold
 * the ccxt modules of a few exchanges, not all of ccxt (infra/bundling/ccxt/bundled-exchanges.mjs).
 */
export class UnbundledExchangeError extends MarketDataError {
  public readonly exchangeId: string;
  public readonly bundled: readonly string[];

  public constructor(exchangeId: string, suggestions: readonly string[], bundled: readonly string[]) {
    const hint =
      suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : '';
    super(
      `exchange.id "${exchangeId}" is not bundled into this function, which carries ${bundled.map((id) => `"${id}"`).join(', ')} ` +
        `(all of ccxt would cost its cold start about half a second). To serve another ccxt exchange, add its ` +
        `module to infra/bundling/ccxt/bundled-exchanges.mjs and deploy again (or check the id).${hint}`,
    );
    this.name = 'UnbundledExchangeError';
    this.exchangeId = exchangeId;
    this.bundled = bundled;
  }
}

export interface ExchangeErrorContext {
  readonly exchangeId: string;
  /** The pair being fetched, or null when the failure is not about one pair (loading markets). */
  readonly pair: string | null;
  /** What was being done, for example "fetch candles from 2024-01-01T00:00:00.000Z". */
  readonly action: string;
  /**
   * True when the exchange was unreachable, rate limiting or failing on its side
   * (network error, HTTP 429 or 5xx) even after the retries: trying later may work.
   * False when retrying cannot help (unknown symbol, unsupported timeframe, bad request).
   */
  readonly transient: boolean;
  /** Requests made, the first one included. */
  readonly attempts: number;
  /** HTTP status of the last answer, when there was one (none after a timeout or a refused connection). */
  readonly httpStatus?: number;
}

/** The exchange could not give what was asked; the message names the exchange, the pair and the cause. */
export class ExchangeError extends MarketDataError {
  public readonly exchangeId: string;
  public readonly pair: string | null;
  public readonly transient: boolean;
  public readonly attempts: number;
  public readonly httpStatus: number | undefined;

  public constructor(context: ExchangeErrorContext, options?: ErrorOptions) {
    const subject = context.pair === null ? context.exchangeId : `${context.exchangeId} ${context.pair}`;
    const tries = context.attempts > 1 ? ` after ${context.attempts} attempts` : '';
    const kind = context.transient ? 'exchange unavailable or rate limiting' : 'not retryable';
    const status = context.httpStatus === undefined ? '' : `HTTP ${context.httpStatus}, `;
    super(
      `${subject}: could not ${context.action}${tries} (${status}${kind}): ${describeCause(options?.cause)}`,
      options,
    );
    this.name = 'ExchangeError';
    this.exchangeId = context.exchangeId;
    this.pair = context.pair;
    this.transient = context.transient;
    this.attempts = context.attempts;
    this.httpStatus = context.httpStatus;
  }
}

/** A CSV file whose layout or content cannot be read as candles. */
export class CsvFormatError extends MarketDataError {
  public readonly file: string;
  /** 1-based line number in the file, or null when the problem is not on one line. */
  public readonly line: number | null;
  public readonly reason: string;

  public constructor(file: string, line: number | null, reason: string, options?: ErrorOptions) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`, options);
    this.name = 'CsvFormatError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return cause === undefined ? 'unknown cause' : String(cause);
}
