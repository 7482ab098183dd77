import '../quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { HttpError } from '../../../functions/http-errors.js';
import { createLambdaContext } from '../../../functions/lambda-context.js';
import { requestParser, type ParsedEvent } from '../../../functions/middleware/request-parser.js';
import { event } from './support.js';

const Schema = z.strictObject({
  name: z.string({ error: 'required' }).transform((s) => s.toUpperCase()),
  count: z.string().regex(/^\d+$/, 'expected digits').optional(),
});

/** A tiny handler that echoes what the parser gave it. */
const echo = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(requestParser({ schema: Schema, bodyMethods: ['PUT'] }))
  .handler(async (e) => ({ statusCode: 200, body: JSON.stringify((e as ParsedEvent<unknown>).input) }));

async function refusal(request: APIGatewayProxyEvent): Promise<HttpError> {
  try {
    await echo(request, createLambdaContext('test'));
  } catch (error) {
    assert.ok(error instanceof HttpError, `expected an HttpError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the parser to refuse the request');
}

describe('requestParser', () => {
  it('puts the parsed, transformed parameters on event.input', async () => {
    const result = await echo(event('GET', { name: 'abc', count: '3' }), createLambdaContext('test'));
    assert.deepEqual(JSON.parse(result.body), { name: 'ABC', count: '3' });
  });

  it('refuses a missing field with 400 naming it', async () => {
    const error = await refusal(event('GET', {}));
    assert.equal(error.status, 400);
    assert.equal(error.message, 'name: required');
    assert.deepEqual(error.details, { field: 'name' });
  });

  it('names every problem, the first one as the field', async () => {
    const error = await refusal(event('GET', { count: 'x' }));
    assert.equal(error.message, 'name: required; also count: expected digits');
    assert.equal(error.details['field'], 'name');
  });

  it('refuses an unknown parameter and lists the known ones', async () => {
    const error = await refusal(event('GET', { name: 'a', nmae: 'b' }));
    assert.equal(error.message, 'nmae: unknown parameter (expected name, count)');
  });

  it('refuses a parameter given twice rather than picking one', async () => {
    const request = event('GET', { name: 'b' });
    request.multiValueQueryStringParameters = { name: ['a', 'b'] };
    const error = await refusal(request);
    assert.equal(error.message, 'name: given 2 times; give it once');
  });

  it('reads a JSON body, plain or base64, only for the body methods', async () => {
    const plain = await echo(event('PUT', {}, '{"name":"x"}'), createLambdaContext('test'));
    assert.deepEqual(JSON.parse(plain.body), { name: 'X' });
    const encoded = {
      ...event('PUT', {}, Buffer.from('{"name":"y"}').toString('base64')),
      isBase64Encoded: true,
    };
    assert.deepEqual(JSON.parse((await echo(encoded, createLambdaContext('test'))).body), { name: 'Y' });
    const ignored = await refusal(event('GET', {}, '{"name":"x"}'));
    assert.equal(ignored.message, 'name: required');
  });

  it('accepts a field in both places when they agree, and refuses it when they do not', async () => {
    const same = await echo(event('PUT', { name: 'x' }, '{"name":"x"}'), createLambdaContext('test'));
    assert.deepEqual(JSON.parse(same.body), { name: 'X' });
    const error = await refusal(event('PUT', { name: 'x' }, '{"name":"z"}'));
    assert.match(error.message, /^name: given as "x" in the query string and "z" in the body/);
  });

  it('builds objects that cannot be polluted through __proto__ or constructor', async () => {
    // A body whose __proto__ would give the parsed fields a prototype carrying "name"
    const body = await refusal(event('PUT', {}, '{"__proto__":{"name":"planted"},"constructor":{"x":1}}'));
    assert.equal(body.status, 400);
    assert.match(body.message, /__proto__.*unknown parameter|unknown parameter/);
    assert.match(body.message, /name: required|__proto__/);
    // The same names in the query string (API Gateway passes them as keys of the parameters map)
    const query = { ...event('GET'), queryStringParameters: JSON.parse('{"__proto__":"x","name":"a"}') };
    const refused = await refusal(query);
    assert.match(refused.message, /^__proto__: unknown parameter/);
    // Nothing leaked into shared prototypes
    assert.equal(({} as Record<string, unknown>)['name'], undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'name'), false);
  });

  it('refuses a body that is not a JSON object', async () => {
    assert.match((await refusal(event('PUT', {}, '[1]'))).message, /^body: expected a JSON object/);
    assert.match((await refusal(event('PUT', {}, '{'))).message, /^body: not valid JSON/);
  });
});
