import '../quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { StorageUnavailableError } from '../../../adapters/storage/index.js';
import { ExchangeError } from '../../../adapters/market/errors.js';
import { UnknownPairError } from '../../../serving/index.js';
import { badRequest, HttpError } from '../../../functions/http-errors.js';
import { createLambdaContext } from '../../../functions/lambda-context.js';
import { errorResponder } from '../../../functions/middleware/error-responder.js';
import { captureLogger, event } from './support.js';

/** A handler that throws `error`, behind the error responder, logging into `captured`. */
function failingWith(error: unknown) {
  const captured = captureLogger();
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(errorResponder({ logger: captured.logger }))
    .handler(async () => {
      throw error;
    });
  return { handler, lines: captured.lines };
}

async function answer(error: unknown) {
  const { handler, lines } = failingWith(error);
  const result = await handler(event('GET'), createLambdaContext('t', { awsRequestId: 'req-1' }));
  return { result, body: JSON.parse(result.body) as { error: Record<string, unknown> }, lines };
}

describe('errorResponder', () => {
  it('answers an HttpError with its status, headers and fields', async () => {
    const { result, body } = await answer(badRequest('currency', 'required'));
    assert.equal(result.statusCode, 400);
    assert.deepEqual(body, {
      error: { code: 'bad_request', message: 'currency: required', request_id: 'req-1', field: 'currency' },
    });
  });

  it('hides the message of an HttpError that is not to be exposed', async () => {
    const { body } = await answer(new HttpError(502, 'upstream', 'secret host 10.0.0.7', { expose: false }));
    assert.equal(body.error['message'], 'Internal error; quote request id req-1 when reporting it');
  });

  it('answers an unknown pair with 404 and the pairs served', async () => {
    const { result, body } = await answer(new UnknownPairError('DOGE/USDT', ['BTC/USDT'], 'not_served'));
    assert.equal(result.statusCode, 404);
    assert.deepEqual(body.error['available'], ['BTC/USDT']);
  });

  it('answers upstream failures with 503 and Retry-After, and a refused exchange request with 502', async () => {
    const exchange = (transient: boolean) =>
      new ExchangeError({ exchangeId: 'binance', pair: 'BTC/USDT', action: 'fetch', transient, attempts: 1 });
    const storage = new StorageUnavailableError('GetObject s3://b/k failed', 'GetObject', 'k');
    for (const [error, status, retry] of [
      [exchange(true), 503, '30'],
      [storage, 503, '30'],
      [exchange(false), 502, undefined],
    ] as const) {
      const { result } = await answer(error);
      assert.equal(result.statusCode, status, error.message);
      assert.equal(result.headers?.['Retry-After'], retry);
    }
  });

  it('answers anything else with a bare 500, and logs the error with its stack', async () => {
    // Act
    const { result, body, lines } = await answer(new Error('database password is hunter2'));

    // Assess: nothing of the error in the response
    assert.equal(result.statusCode, 500);
    assert.doesNotMatch(result.body, /hunter2|at |\.ts/);
    assert.equal(body.error['code'], 'internal_error');
    // all of it in one structured log line
    const logged = lines.find((line) => line['message'] === 'request failed');
    assert.ok(logged, JSON.stringify(lines));
    assert.equal(logged['level'], 'ERROR');
    assert.equal(logged['status'], 500);
    const error = logged['error'] as { message: string; stack: string };
    assert.equal(error.message, 'database password is hunter2');
    assert.match(error.stack, /error-responder\.test\.ts/);
  });

  it('logs refused requests at INFO without a stack', async () => {
    const { lines } = await answer(badRequest('compare', 'required'));
    assert.deepEqual(
      lines.map((l) => [l['level'], l['message'], l['status'], l['error']]),
      [['INFO', 'request refused', 400, undefined]],
    );
  });
});
