import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export interface AccessLogOptions {
  readonly logger: Logger;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
}

interface Internal extends Record<string, unknown> {
  accessLogStartedAt?: number;
}

/**
 * One log line per request: method, path, status and duration. Registered outside the error
 * responder, so its onError runs after it and sees the status that was answered.
 */
export function accessLog(
  options: AccessLogOptions,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, Internal> {
  const { logger } = options;
  const now = options.now ?? (() => performance.now());
  const write = (request: {
    event: APIGatewayProxyEvent;
    response: APIGatewayProxyResult | null;
    internal: Internal;
  }): void => {
    const started = request.internal.accessLogStartedAt;
    logger.info('request', {
      method: request.event.httpMethod,
      path: request.event.path,
      status: request.response?.statusCode ?? null,
      duration_ms: started === undefined ? null : Math.round((now() - started) * 1000) / 1000,
    });
  };
  return {
    before: (request) => {
      request.internal.accessLogStartedAt = now();
    },
    after: write,
    onError: write,
  };
}
