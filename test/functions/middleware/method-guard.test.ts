import '../quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HttpError } from '../../../functions/http-errors.js';
import { createLambdaContext } from '../../../functions/lambda-context.js';
import { methodGuard } from '../../../functions/middleware/method-guard.js';
import { event } from './support.js';

const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(methodGuard({ methods: ['GET', 'PUT'] }))
  .handler(async () => ({ statusCode: 204, body: '' }));

describe('methodGuard', () => {
  it('lets the route methods through, whatever their case', async () => {
    assert.equal((await handler(event('GET'), createLambdaContext('t'))).statusCode, 204);
    assert.equal((await handler(event('put'), createLambdaContext('t'))).statusCode, 204);
  });

  it('refuses any other method with 405 and an Allow header', async () => {
    await assert.rejects(handler(event('DELETE'), createLambdaContext('t')), (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 405);
      assert.deepEqual(error.headers, { Allow: 'GET, PUT' });
      assert.equal(error.message, 'DELETE is not allowed here; use GET or PUT');
      return true;
    });
  });
});
