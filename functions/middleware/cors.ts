import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { corsHeaders, headerOf } from '../cors.js';

export interface CorsOptions {
  /** Origins allowed (serving.cors_origins); `*` for any; empty for none. */
  readonly origins: readonly string[];
}

/**
 * Adds the CORS headers to every answer, success or error. Registered outside the error responder, so
 * that its onError runs after the error response exists.
 */
export function cors(options: CorsOptions): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { origins } = options;
  const add = (request: { event: APIGatewayProxyEvent; response: APIGatewayProxyResult | null }): void => {
    if (origins.length === 0 || request.response === null || request.response === undefined) return;
    const headers = corsHeaders(origins, headerOf(request.event?.headers, 'origin'));
    request.response.headers = { ...request.response.headers, ...headers };
  };
  return { after: add, onError: add };
}
