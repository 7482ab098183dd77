import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { ERROR_CODES, HttpError } from './http-errors.js';
import { logger as defaultLogger } from './logger.js';
import { accessLog } from './middleware/access-log.js';
import { cors } from './middleware/cors.js';
import { errorResponder } from './middleware/error-responder.js';
import { methodGuard } from './middleware/method-guard.js';
import { requestParser, type ParsedEvent } from './middleware/request-parser.js';
import { securityHeaders } from './middleware/security-headers.js';
import { ROUTES, type RouteName } from './routes.js';
import { NoParametersSchema } from './schemas/request.js';

/** What every handler module exports as `handler`: API Gateway REST (v1) proxy event in, result out. */
export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface HttpHandlerOptions<S extends z.ZodType> {
  /** The route in ROUTES; its methods are the only ones answered. */
  readonly route: RouteName;
  /** Parameters; none accepted by default. */
  readonly schema?: S;
  /** Methods whose JSON body is read besides the query string. */
  readonly bodyMethods?: readonly string[];
  /** Origins whose scripts may read the answers (serving.cors_origins); none by default. */
  readonly corsOrigins?: readonly string[];
  readonly logger?: Logger;
}

/**
 * Time kept to answer before Lambda stops the invocation: without it, a slow exchange or store ends
 * in Lambda's own timeout and API Gateway's bare 502/504, with no Retry-After and no log of why.
 */
export const TIMEOUT_MARGIN_MS = 1_000;

function timedOut(): never {
  throw new HttpError(
    503,
    ERROR_CODES.timeout,
    'The exchange or model storage is too slow to answer in time; try again later',
    { expose: true, headers: { 'Retry-After': '30' } },
  );
}

/**
 * A handler with the standard stack: Lambda context in the logs, an access log line, the security and
 * CORS headers on every answer, errors turned into JSON responses, 405 for other methods, parameters parsed by the schema. `handle` only ever
 * sees valid input and returns the success response; it never builds an error response itself.
 */
export function httpHandler<S extends z.ZodType = typeof NoParametersSchema>(
  options: HttpHandlerOptions<S>,
  handle: (event: ParsedEvent<z.output<S>>, context: Context) => Promise<APIGatewayProxyResult>,
): ApiHandler {
  const route = ROUTES.find((r) => r.name === options.route);
  if (route === undefined) throw new Error(`No route named ${options.route} in functions/routes.ts`);
  const logger = options.logger ?? defaultLogger;
  const schema = options.schema ?? NoParametersSchema;
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: timedOut,
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(accessLog({ logger }))
    .use(securityHeaders())
    .use(cors({ origins: options.corsOrigins ?? [] }))
    .use(errorResponder({ logger }))
    .use(methodGuard({ methods: route.methods }))
    .use(requestParser({ schema, bodyMethods: options.bodyMethods ?? [] }))
    .handler((event, context) =>
      // requestParser ran before: the event carries the parsed input.
      handle(event as ParsedEvent<z.output<S>>, context),
    );
}
