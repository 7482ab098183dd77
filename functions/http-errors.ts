/** Stable machine-readable codes of error responses; clients branch on these, never on messages. */
export const ERROR_CODES = {
  badRequest: 'bad_request',
  payloadTooLarge: 'payload_too_large',
  unknownPair: 'unknown_pair',
  methodNotAllowed: 'method_not_allowed',
  exchangeUnavailable: 'exchange_unavailable',
  exchangeError: 'exchange_error',
  marketDataUnavailable: 'market_data_unavailable',
  marketStale: 'market_stale',
  storageUnavailable: 'storage_unavailable',
  modelUnavailable: 'model_unavailable',
  heldOutNotFound: 'heldout_not_found',
  heldOutUnavailable: 'heldout_unavailable',
  runNotFound: 'run_not_found',
  runsUnavailable: 'runs_unavailable',
  timeout: 'timeout',
  internal: 'internal_error',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface HttpErrorOptions extends ErrorOptions {
  /** Whether `message` may be shown to the caller; by default only for 4xx. */
  readonly expose?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra fields of the error body, for example `field` or `available`. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** An error that already knows its HTTP answer; the error responder turns it into the response. */
export class HttpError extends Error {
  public readonly status: number;
  public readonly code: string;
  public readonly expose: boolean;
  public readonly headers: Readonly<Record<string, string>>;
  public readonly details: Readonly<Record<string, unknown>>;

  public constructor(status: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
    this.details = options.details ?? {};
  }
}

/** The most characters of an error message, whatever it quotes: a reply stays small whatever was sent. */
export const MAX_MESSAGE_CHARS = 500;

/** `text` cut to `max` characters, saying that it was. */
export function boundText(text: string, max = MAX_MESSAGE_CHARS): string {
  const suffix = '… (cut short)';
  return text.length <= max ? text : `${text.slice(0, max - suffix.length)}${suffix}`;
}

/** The first `shown` items joined, and how many more there are: "a, b, c and 197 more". */
export function someOf(items: readonly string[], shown = 5): string {
  const head = items.slice(0, shown).join(', ');
  return items.length <= shown ? head : `${head} and ${items.length - shown} more`;
}

/** 400 naming the parameter and what is wrong with it. */
export function badRequest(field: string, reason: string, options: ErrorOptions = {}): HttpError {
  return new HttpError(400, ERROR_CODES.badRequest, `${field}: ${reason}`, {
    ...options,
    details: { field },
  });
}

/** 405 with the Allow header RFC 9110 requires. */
export function methodNotAllowed(method: string, allowed: readonly string[]): HttpError {
  return new HttpError(
    405,
    ERROR_CODES.methodNotAllowed,
    `${method} is not allowed here; use ${allowed.join(' or ')}`,
    { headers: { Allow: allowed.join(', ') } },
  );
}
