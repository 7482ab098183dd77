import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { SECURITY_HEADERS } from '../security-headers.js';

/**
 * Adds SECURITY_HEADERS to every answer, success or error. Registered outside the error responder, so
 * that its onError runs after the error response exists (as cors does).
 */
export function securityHeaders(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const add = (request: { response: APIGatewayProxyResult | null }): void => {
    if (request.response === null || request.response === undefined) return;
    request.response.headers = { ...request.response.headers, ...SECURITY_HEADERS };
  };
  return { after: add, onError: add };
}
