import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describeError } from '../error-mapping.js';
import { boundText } from '../http-errors.js';
import { rawJsonResponse } from '../responses.js';

export interface ErrorResponderOptions {
  readonly logger: Logger;
}

/**
 * Turns any error thrown before, in or after the handler into a JSON response
 * `{"error":{"code","message",...}}` with the status describeError chose: the caller's mistakes as
 * 4xx with what to fix, upstream failures as 503 with Retry-After, anything else as a bare 500. The
 * error itself, stack included, goes to the log and never into the response. Every text of the body is
 * cut to MAX_MESSAGE_CHARS, so that no request can make the answer large (a Lambda reply over 6 MB
 * would become API Gateway's 502).
 */
export function errorResponder(
  options: ErrorResponderOptions,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { logger } = options;
  return {
    onError: (request) => {
      const requestId = request.context?.awsRequestId ?? request.event?.requestContext?.requestId;
      const answer = describeError(request.error, requestId);
      const message = boundText(answer.message);
      const fields = { status: answer.status, code: answer.code };
      if (answer.status >= 500) logger.error('request failed', { ...fields, error: request.error });
      else logger.info('request refused', { ...fields, reason: message });
      request.response = rawJsonResponse(
        {
          error: {
            code: answer.code,
            message,
            ...(requestId === undefined ? {} : { request_id: requestId }),
            ...boundedDetails(answer.details),
          },
        },
        answer.status,
        answer.headers,
      );
    },
  };
}

/** The details with their texts cut short; lists (the pairs served) come from the configuration. */
function boundedDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details).map(([name, value]) => [
      name,
      typeof value === 'string' ? boundText(value) : value,
    ]),
  );
}
