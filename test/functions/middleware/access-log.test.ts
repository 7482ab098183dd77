import '../quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createLambdaContext } from '../../../functions/lambda-context.js';
import { accessLog } from '../../../functions/middleware/access-log.js';
import { errorResponder } from '../../../functions/middleware/error-responder.js';
import { captureLogger, event } from './support.js';

describe('accessLog', () => {
  it('logs method, path, status and duration of an answered request', async () => {
    // Prepare
    const { logger, lines } = captureLogger();
    let time = 1_000;
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(accessLog({ logger, now: () => time }))
      .handler(async () => {
        time += 12.5;
        return { statusCode: 200, body: '{}' };
      });

    // Act
    await handler(event('GET'), createLambdaContext('t'));

    // Assess
    assert.deepEqual(
      lines.map((l) => [l['message'], l['method'], l['path'], l['status'], l['duration_ms']]),
      [['request', 'GET', '/healthz', 200, 12.5]],
    );
  });

  it('logs the status the error responder answered with', async () => {
    const { logger, lines } = captureLogger();
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(accessLog({ logger }))
      .use(errorResponder({ logger }))
      .handler(async () => {
        throw new Error('boom');
      });
    await handler(event('GET'), createLambdaContext('t'));
    const access = lines.find((l) => l['message'] === 'request');
    assert.equal(access?.['status'], 500);
  });
});
