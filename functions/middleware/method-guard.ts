import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { methodNotAllowed } from '../http-errors.js';

export interface MethodGuardOptions {
  /** Methods the route answers, upper case (from ROUTES). */
  readonly methods: readonly string[];
}

/**
 * 405 with an Allow header for any other method. API Gateway only forwards the methods declared for
 * a resource, but the local adapter and an `ANY` method forward everything.
 */
export function methodGuard(
  options: MethodGuardOptions,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const allowed = options.methods.map((method) => method.toUpperCase());
  return {
    before: ({ event }) => {
      const method = (event.httpMethod ?? '').toUpperCase();
      if (!allowed.includes(method)) throw methodNotAllowed(method || '(no method)', allowed);
    },
  };
}
