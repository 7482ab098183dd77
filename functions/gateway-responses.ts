/**
 * The answers API Gateway gives itself, before or instead of a handler, as the deployed API configures
 * them (the gateway responses of infra/lib/forecast-api.ts): the handlers' error shape,
 * `{"error":{"code","message","request_id"}}`, so that a client reads one shape whoever answered.
 * Kept here as plain data because the adapter must not load aws-cdk-lib; test/functions/local checks
 * them against infra's source so that the two cannot drift apart unnoticed.
 */
export const GATEWAY_ERRORS = {
  /** MISSING_AUTHENTICATION_TOKEN: an unknown path, or a method the route table does not list. */
  notFound: {
    status: 404,
    code: 'not_found',
    message: 'no such route or method; see /openapi.json',
    errorType: 'MissingAuthenticationTokenException',
  },
  /** INVALID_API_KEY (and API_KEY missing): the route needs a key of the usage plan. */
  forbidden: {
    status: 403,
    code: 'forbidden',
    message: 'missing or unknown x-api-key header',
    errorType: 'ForbiddenException',
  },
  /** DEFAULT_4XX for REQUEST_TOO_LARGE: API Gateway refuses bodies over 10 MB. */
  tooLarge: {
    status: 413,
    code: 'REQUEST_TOO_LARGE',
    message: 'Request Too Long',
    errorType: 'RequestTooLargeException',
  },
  /** DEFAULT_5XX: the function threw, timed out, or returned something that is not a proxy result. */
  internal: {
    status: 502,
    code: 'internal_error',
    message: 'the API failed to answer; retry later',
    errorType: 'InternalServerErrorException',
  },
} as const;

export type GatewayError = (typeof GATEWAY_ERRORS)[keyof typeof GATEWAY_ERRORS];

/** API Gateway's payload limit for REST APIs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** What API Gateway's CORS preflight (defaultCorsPreflightOptions, Cors.DEFAULT_HEADERS) allows. */
export const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'X-Amz-User-Agent',
] as const;
