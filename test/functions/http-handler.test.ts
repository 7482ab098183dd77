import './quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpHandler, TIMEOUT_MARGIN_MS } from '../../functions/http-handler.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { fixture, parse } from './events.js';

describe('httpHandler', () => {
  it('answers 503 with Retry-After before Lambda would cut a slow invocation off', async () => {
    // Prepare: a handler that never finishes, 50 ms before the margin is reached
    const handler = httpHandler({ route: 'healthz' }, () => new Promise(() => {}));
    const context = createLambdaContext('healthz', {
      getRemainingTimeInMillis: () => TIMEOUT_MARGIN_MS + 50,
    });

    // Act
    const { status, headers, body } = parse(await handler(fixture('healthz-get'), context));

    // Assess
    assert.equal(status, 503);
    assert.equal(headers['Retry-After'], '30');
    assert.deepEqual(body['error'], {
      code: 'timeout',
      message: 'The exchange or model storage is too slow to answer in time; try again later',
      request_id: context.awsRequestId,
    });
  });

  it('refuses to build a handler for a route the contract does not have', () => {
    assert.throws(
      () => httpHandler({ route: 'nope' as 'healthz' }, async () => ({ statusCode: 200, body: '' })),
      /No route named nope in functions\/routes\.ts/,
    );
  });
});
