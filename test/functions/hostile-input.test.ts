import './quiet-logs.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createHandlers, type HandlerTable } from '../../functions/handlers/index.js';
import { MAX_MESSAGE_CHARS } from '../../functions/http-errors.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { startLocalApi, type LocalApi } from '../../local/dev-server/adapter.js';
import { BODY_LIMITS } from '../../functions/middleware/body-limits.js';
import { createRuntime, type Runtime } from '../../functions/runtime.js';
import { ErrorResponseSchema } from '../../functions/schemas/error.js';
import { smallConfig } from '../support/small-config.js';
import { fixture, parse, withQuery } from './events.js';

const KEY = 'hostile-input-key';

/** `{"currency": [[[ ... "BTC" ... ]]]}`, `levels` arrays deep. */
const deeplyNested = (levels: number): string =>
  `{"currency":${'['.repeat(levels)}"BTC"${']'.repeat(levels)}}`;

/** A JSON object of `count` keys none of which the API knows (2.3 MB at 200,000). */
const manyUnknownKeys = (count: number): string =>
  JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [`unknown_key_${i}`, 1])));

/** PUT /predict?currency=BTC with `body`, as API Gateway delivers it. */
const put = (body: string): APIGatewayProxyEvent => ({
  ...withQuery(fixture('predict-put-query'), { currency: 'BTC' }),
  body,
  isBase64Encoded: false,
});

/**
 * Hostile requests against the real handlers: each is refused with a 4xx and a short message before
 * any model, store or exchange is touched (the runtime points at nothing that answers).
 */
describe('hostile requests', () => {
  let runtime: Runtime;
  let handlers: HandlerTable;
  let api: LocalApi;

  before(async () => {
    runtime = createRuntime(smallConfig());
    handlers = createHandlers(runtime);
    api = await startLocalApi({ handlers, apiKeys: [KEY], port: 0 });
  });

  after(async () => {
    await api.close();
    await runtime.close();
  });

  const call = async (event: APIGatewayProxyEvent) => {
    const result = await handlers.predict(event, createLambdaContext('predict'));
    const parsed = parse(result);
    return {
      ...parsed,
      bytes: Buffer.byteLength(result.body),
      error: ErrorResponseSchema.parse(parsed.body).error,
    };
  };

  it('answers 413 or 400, never 500, to a deeply nested body', async () => {
    const { status, error } = await call(put(deeplyNested(20_000)));
    assert.equal(status, 413, 'too large before it is too deep');
    assert.equal(error.code, 'payload_too_large');
    const small = await call(put(deeplyNested(1_000)));
    assert.equal(small.status, 400, 'within the size limit, too deep');
    assert.equal(
      small.error.message,
      `body: nested more than ${BODY_LIMITS.depth} levels deep; send a flat JSON object`,
    );
  });

  it('answers a 2.3 MB body of 200,000 unknown keys with 413 and a short message', async () => {
    const body = manyUnknownKeys(200_000);
    assert.ok(body.length > 2_000_000);
    const { status, error, bytes } = await call(put(body));
    assert.equal(status, 413);
    assert.equal(error.field, 'body');
    assert.ok(bytes < 1_000, `a short answer, got ${bytes} bytes`);
  });

  it('answers a small body of too many keys with 400 before validating them', async () => {
    const { status, error } = await call(put(manyUnknownKeys(BODY_LIMITS.keys + 1).replace(/_key_/g, '')));
    assert.equal(status, 400);
    assert.equal(
      error.message,
      `body: more than ${BODY_LIMITS.keys} keys; send only the parameters of the request`,
    );
  });

  it('names a few unknown parameters and counts the rest, in a bounded message', async () => {
    const query = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`p${i}_${'x'.repeat(60)}`, 'v']));
    const { status, error, bytes } = await call(
      withQuery(fixture('predict-get'), { ...query, currency: 'BTC' }),
    );
    assert.equal(status, 400);
    assert.match(error.message, /and 395 more: unknown parameters \(expected currency, compare, include\)/);
    assert.ok(error.message.length <= MAX_MESSAGE_CHARS, `${error.message.length} characters`);
    assert.ok((error.field ?? '').length <= MAX_MESSAGE_CHARS);
    assert.ok(bytes < 2 * MAX_MESSAGE_CHARS + 300, `${bytes} bytes`);
  });

  it('does not quote a huge or nested value that contradicts the query string', async () => {
    const { status, error } = await call(put(JSON.stringify({ currency: 'x'.repeat(3_000) })));
    assert.equal(status, 400);
    assert.equal(
      error.message,
      'currency: given as "BTC" in the query string and a long text in the body; give it once',
    );
    const nested = await call(put('{"currency":[["BTC"]]}'));
    assert.equal(nested.status, 400);
    assert.match(nested.error.message, /and an array in the body/);
  });

  it('answers the same through the local adapter, never its 502', async () => {
    for (const [body, expected] of [
      [deeplyNested(20_000), 413],
      [manyUnknownKeys(200_000), 413],
      [deeplyNested(BODY_LIMITS.depth), 400],
    ] as const) {
      const response = await fetch(`${api.url}/predict?currency=BTC`, {
        method: 'PUT',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body,
      });
      const text = await response.text();
      assert.equal(response.status, expected, text);
      assert.ok(text.length < 1_000);
      assert.doesNotMatch(text, /RangeError|\n\s+at /);
    }
  });
});
