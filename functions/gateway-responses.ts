/**
 * The answers API Gateway gives itself, before or instead of a handler: one definition that
 * infra/lib/forecast-api.ts configures as the deployed API's gateway responses and that the local
 * adapter sends, in the handlers' error shape `{"error":{"code","message","request_id"}}`, so that a
 * client reads one shape whoever answered. Plain data: the adapter must not load aws-cdk-lib.
 */

/** One gateway response: `type` is API Gateway's ResponseType name. */
export interface GatewayResponse {
  readonly type: string;
  /** The status sent; null keeps API Gateway's own (DEFAULT_5XX: 500, 502 or 504 as it happened). */
  readonly status: number | null;
  readonly code: string;
  readonly message: string;
  /** x-amzn-ErrorType, as API Gateway sends it. */
  readonly errorType: string;
}

export const GATEWAY_RESPONSES = {
  /**
   * An unknown path, a method the route table does not list, or an operator route without an IAM
   * signature: API Gateway calls all three a missing authentication token.
   */
  notFound: {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    status: 404,
    code: 'not_found',
    message: 'no such route or method (operator routes need a signed request); see /openapi.json',
    errorType: 'MissingAuthenticationTokenException',
  },
  /** INVALID_API_KEY (and API_KEY missing): the route needs a key of the usage plan. */
  forbidden: {
    type: 'INVALID_API_KEY',
    status: 403,
    code: 'forbidden',
    message: 'missing or unknown x-api-key header',
    errorType: 'ForbiddenException',
  },
  quotaExceeded: {
    type: 'QUOTA_EXCEEDED',
    status: 429,
    code: 'quota_exceeded',
    message: 'the monthly quota of this API key is used up',
    errorType: 'LimitExceededException',
  },
  throttled: {
    type: 'THROTTLED',
    status: 429,
    code: 'throttled',
    message: 'too many requests; slow down and retry',
    errorType: 'TooManyRequestsException',
  },
  /** DEFAULT_5XX: the function threw, timed out, or returned something that is not a proxy result. */
  internal: {
    type: 'DEFAULT_5XX',
    status: null,
    code: 'internal_error',
    message: 'the API failed to answer; retry later',
    errorType: 'InternalServerErrorException',
  },
} as const satisfies Readonly<Record<string, GatewayResponse>>;

/**
 * DEFAULT_4XX, every other refusal of the gateway: its type and message as API Gateway fills them in
 * ($context.error.responseType, $context.error.messageString). The local adapter's one such answer is
 * REQUEST_TOO_LARGE.
 */
export const DEFAULT_4XX = {
  type: 'DEFAULT_4XX',
  code: '$context.error.responseType',
  message: '$context.error.messageString',
} as const;

/** What DEFAULT_4XX renders for a body over the payload limit. */
export const REQUEST_TOO_LARGE: GatewayResponse = {
  type: 'REQUEST_TOO_LARGE',
  status: 413,
  code: 'REQUEST_TOO_LARGE',
  message: 'Request Too Long',
  errorType: 'RequestTooLargeException',
};

/** The status a DEFAULT_5XX has locally, where no integration can time out: a failed function. */
export const LOCAL_INTERNAL_STATUS = 502;

/** API Gateway's payload limit for REST APIs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
