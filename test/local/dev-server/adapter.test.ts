import '../../functions/quiet-logs.js';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createHandlers, type HandlerTable } from '../../../functions/handlers/index.js';
import type { ApiHandler } from '../../../functions/http-handler.js';
import { ApiKeyError, apiKeyId, resolveApiKeys } from '../../../local/dev-server/api-keys.js';
import { startLocalApi, type AccessRecord, type LocalApi } from '../../../local/dev-server/adapter.js';
import { parseTarget } from '../../../local/dev-server/event.js';
import { ROUTES, type RouteName } from '../../../functions/routes.js';
import { createRuntime } from '../../../functions/runtime.js';
import { smallConfig } from '../../support/small-config.js';
import { fixture } from '../../functions/events.js';

const KEY = 'adapter-test-key-1';
const ENV_KEY = 'adapter-test-key-from-env';
const OPERATOR_KEY = 'adapter-test-operator-key';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** node:http rather than fetch: repeated headers and raw bodies go out exactly as written. */
function send(
  api: LocalApi,
  path: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${api.url}${path}`, {
      method: options.method ?? 'GET',
      headers: options.headers,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Keys of a JSON object and of the objects under it, as dotted paths. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    // Header and parameter names are the request's own, not part of the event's shape.
    if (/^(headers|multiValueHeaders|queryStringParameters|multiValueQueryStringParameters)$/.test(key))
      return [path];
    return [path, ...keyPaths(child, `${path}.`)];
  });
}

describe('the local adapter', () => {
  let api: LocalApi;
  const events: { route: string; event: APIGatewayProxyEvent; context: Context }[] = [];
  const access: AccessRecord[] = [];
  const crashes: unknown[] = [];
  let answer: (event: APIGatewayProxyEvent) => Promise<unknown> = async () => ({
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: '{"ok":true}',
  });

  /** Handlers that record their events and give `answer`'s result; the routes are the real table. */
  const recordingHandlers = (): HandlerTable =>
    Object.fromEntries(
      ROUTES.map((route): [RouteName, ApiHandler] => [
        route.name,
        async (event, context) => {
          events.push({ route: route.name, event, context });
          return (await answer(event)) as APIGatewayProxyResult;
        },
      ]),
    ) as Record<RouteName, ApiHandler>;

  before(async () => {
    // Prepare
    api = await startLocalApi({
      apiKeys: resolveApiKeys([KEY], { API_KEYS: ` ${ENV_KEY} ,${KEY}` }),
      operatorKeys: [OPERATOR_KEY],
      corsOrigins: ['*'],
      port: 0,
      handlers: recordingHandlers(),
      onRequest: (record) => access.push(record),
      onError: (error) => crashes.push(error),
    });
  });

  after(async () => {
    await api.close();
  });

  const lastEvent = (): APIGatewayProxyEvent => {
    const last = events.at(-1);
    assert.ok(last, 'the handler was called');
    return last.event;
  };

  it('builds the REST proxy event API Gateway would send: headers, query, request context', async () => {
    // Act
    const reply = await send(api, '/predict?currency=btc&compare=usdt&currency=eth&include', {
      headers: { 'X-Api-Key': KEY, 'User-Agent': 'adapter-test/1.0', 'X-Multi': ['one', 'two'] },
    });

    // Assess
    assert.equal(reply.status, 200);
    const event = lastEvent();
    assert.equal(events.at(-1)?.route, 'predict');
    assert.equal(events.at(-1)?.context.functionName, 'predict');
    assert.equal(event.resource, '/predict');
    assert.equal(event.path, '/predict');
    assert.equal(event.httpMethod, 'GET');
    assert.equal(event.headers['X-Api-Key'], KEY, "the client's spelling of header names");
    assert.equal(event.headers['X-Multi'], 'two', 'headers holds the last value');
    assert.deepEqual(event.multiValueHeaders['X-Multi'], ['one', 'two']);
    assert.equal(event.headers['X-Forwarded-For'], '127.0.0.1');
    assert.equal(event.headers['X-Forwarded-Proto'], 'http');
    assert.equal(event.headers['X-Forwarded-Port'], String(api.port));
    assert.match(event.headers['X-Amzn-Trace-Id'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.deepEqual(event.queryStringParameters, { currency: 'eth', compare: 'usdt', include: '' });
    assert.deepEqual(event.multiValueQueryStringParameters, {
      currency: ['btc', 'eth'],
      compare: ['usdt'],
      include: [''],
    });
    assert.equal(event.pathParameters, null);
    assert.equal(event.stageVariables, null);
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
    const context = event.requestContext;
    assert.equal(context.stage, 'local');
    assert.equal(context.path, '/local/predict');
    assert.equal(context.resourcePath, '/predict');
    assert.equal(context.httpMethod, 'GET');
    assert.equal(context.protocol, 'HTTP/1.1');
    assert.match(context.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(reply.headers['x-amzn-requestid'], context.requestId);
    assert.ok(Math.abs(context.requestTimeEpoch - Date.now()) < 5_000);
    assert.match(context.requestTime ?? '', /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(context.identity.sourceIp, '127.0.0.1');
    assert.equal(context.identity.userAgent, 'adapter-test/1.0');
    assert.equal(context.identity.apiKey, KEY);
    assert.equal(context.identity.apiKeyId, apiKeyId(KEY));
    assert.match(context.identity.apiKeyId ?? '', /^[0-9a-f]{10}$/);
  });

  it('has every field of a real API Gateway event', async () => {
    // Prepare: a captured REST proxy event (test/functions/fixtures)
    const real = fixture('predict-get');

    // Act
    await send(api, '/predict?currency=btc&compare=usdt', { headers: { 'x-api-key': KEY } });

    // Assess
    const built = new Set(keyPaths(lastEvent()));
    const missing = keyPaths(real).filter((path) => !built.has(path));
    assert.deepEqual(missing, []);
  });

  it('passes a JSON body as text, and a body that is not UTF-8 as base64', async () => {
    // Act
    await send(api, '/predict', {
      method: 'PUT',
      headers: { 'x-api-key': KEY, 'Content-Type': 'application/json' },
      body: '{"currency":"BTC","compare":"USDT"}',
    });
    const json = lastEvent();
    await send(api, '/predict', {
      method: 'PUT',
      headers: { 'x-api-key': KEY, 'Content-Type': 'application/octet-stream' },
      body: Buffer.from([0xff, 0xfe, 0x00, 0x01]),
    });
    const binary = lastEvent();

    // Assess
    assert.equal(json.httpMethod, 'PUT');
    assert.equal(json.body, '{"currency":"BTC","compare":"USDT"}');
    assert.equal(json.isBase64Encoded, false);
    assert.equal(binary.body, Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'));
    assert.equal(binary.isBase64Encoded, true);
  });

  it('refuses a route that needs a key without one, or with an unknown one, before the handler runs', async () => {
    // Prepare
    const before = events.length;

    // Act
    const missing = await send(api, '/predict?currency=btc&compare=usdt');
    const unknown = await send(api, '/models', { headers: { 'x-api-key': 'not-a-known-key' } });
    const empty = await send(api, '/models', { headers: { 'x-api-key': '' } });

    // Assess
    for (const reply of [missing, unknown, empty]) {
      assert.equal(reply.status, 403);
      assert.equal(reply.headers['x-amzn-errortype'], 'ForbiddenException');
      const body = JSON.parse(reply.text) as { error: Record<string, string> };
      assert.equal(body.error['code'], 'forbidden');
      assert.equal(body.error['message'], 'missing or unknown x-api-key header');
      assert.equal(body.error['request_id'], reply.headers['x-amzn-requestid']);
    }
    assert.equal(events.length, before, 'no handler ran');
  });

  it('accepts the keys of API_KEYS besides the configured ones, in any header spelling', async () => {
    // Act
    const reply = await send(api, '/models', { headers: { 'X-API-KEY': ENV_KEY } });

    // Assess
    assert.equal(reply.status, 200);
    assert.equal(lastEvent().requestContext.identity.apiKey, ENV_KEY);
  });

  it('lets the routes without apiKey through without a key, with no key in the context', async () => {
    // Act
    const health = await send(api, '/healthz');
    const ready = await send(api, '/readyz', { headers: { 'x-api-key': 'whatever-is-sent' } });

    // Assess
    assert.equal(health.status, 200);
    assert.equal(ready.status, 200);
    assert.equal(lastEvent().requestContext.identity.apiKey, null);
    assert.equal(lastEvent().requestContext.identity.apiKeyId, null);
  });

  it("answers an unknown path with the gateway's 404, without calling a handler", async () => {
    // Prepare
    const before = events.length;

    // Act
    const reply = await send(api, '/predictions', { headers: { 'x-api-key': KEY } });

    // Assess
    assert.equal(reply.status, 404);
    assert.equal(reply.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    const body = JSON.parse(reply.text) as { error: Record<string, string> };
    assert.equal(body.error['code'], 'not_found');
    assert.equal(events.length, before);
    assert.deepEqual(
      access.slice(-1).map((r) => [r.path, r.status, r.by]),
      [['/predictions', 404, 'gateway']],
    );
  });

  it('passes a method the route does not list to its handler (which answers 405), after the key check', async () => {
    // Act
    const withKey = await send(api, '/predict', { method: 'DELETE', headers: { 'x-api-key': KEY } });
    const deleted = events.at(-1);
    const before = events.length;
    const withoutKey = await send(api, '/predict', { method: 'DELETE' });

    // Assess: the handler saw the DELETE (the real handlers answer it with 405 and Allow)
    assert.equal(withKey.status, 200);
    assert.equal(deleted?.route, 'predict');
    assert.equal(deleted?.event.httpMethod, 'DELETE');
    // and a keyed route still needs its key whatever the method
    assert.equal(withoutKey.status, 403);
    assert.equal(events.length, before);
  });

  it('answers CORS preflights itself, without a key, as the deployed API does', async () => {
    // Act
    const reply = await send(api, '/predict', {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'PUT' },
    });

    // Assess
    assert.equal(reply.status, 204);
    assert.equal(reply.headers['access-control-allow-origin'], '*');
    assert.equal(reply.headers['access-control-allow-methods'], 'GET,PUT,OPTIONS');
    assert.match(String(reply.headers['access-control-allow-headers']), /X-Api-Key/);
  });

  it('takes only the operator key on the operator route, and the operator key nowhere else', async () => {
    // Prepare
    const before = events.length;

    // Act
    const withUsageKey = await send(api, '/models/reload', { method: 'POST', headers: { 'x-api-key': KEY } });
    const withoutKey = await send(api, '/models/reload', { method: 'POST' });
    const called = events.length;
    const withOperatorKey = await send(api, '/models/reload', {
      method: 'POST',
      headers: { 'x-api-key': OPERATOR_KEY },
    });
    const operatorOnPredict = await send(api, '/predict', { headers: { 'x-api-key': OPERATOR_KEY } });

    // Assess
    for (const reply of [withUsageKey, withoutKey]) {
      assert.equal(reply.status, 403);
      assert.match(JSON.parse(reply.text).error.message, /for operators: send the operator key/);
    }
    assert.equal(called, before, 'no handler ran for a refused request');
    assert.equal(withOperatorKey.status, 200);
    assert.equal(events.at(-1)?.route, 'reload');
    assert.equal(lastEvent().requestContext.identity.apiKeyId, apiKeyId(OPERATOR_KEY));
    assert.equal(operatorOnPredict.status, 403);
  });

  it('refuses a request for another host name, page or API, before anything else (DNS rebinding)', async () => {
    // Prepare
    const before = events.length;

    // Act
    const rebound = await send(api, '/predict?currency=btc&compare=usdt', {
      headers: { Host: `attacker.example:${api.port}`, 'x-api-key': KEY },
    });
    const otherPort = await send(api, '/healthz', { headers: { Host: `127.0.0.1:${api.port + 1}` } });
    const localhost = await send(api, '/healthz', { headers: { Host: `localhost:${api.port}` } });
    const own = await send(api, '/healthz', { headers: { Host: `127.0.0.1:${api.port}` } });

    // Assess
    for (const reply of [rebound, otherPort]) {
      assert.equal(reply.status, 421);
      const body = JSON.parse(reply.text) as { error: Record<string, string> };
      assert.equal(body.error['code'], 'misdirected_request');
      assert.equal(body.error['message'], 'this server answers only requests for the address it listens on');
    }
    assert.equal(events.length, before + 2, 'only the two requests for this server reached a handler');
    assert.equal(localhost.status, 200);
    assert.equal(own.status, 200);
  });

  it("sends the CORS headers on the gateway's own answers, not only on the preflight", async () => {
    // Act
    const forbidden = await send(api, '/predict', { headers: { Origin: 'http://example.test' } });
    const missing = await send(api, '/nowhere', { headers: { Origin: 'http://example.test' } });

    // Assess
    for (const reply of [forbidden, missing]) {
      assert.equal(reply.headers['access-control-allow-origin'], '*');
      assert.match(String(reply.headers['access-control-expose-headers']), /Retry-After/);
    }
  });

  it("returns the handler's status, headers, multi-value headers and base64 body", async () => {
    // Prepare
    answer = async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/octet-stream', 'X-One': 'a' },
      multiValueHeaders: { 'X-One': ['b'], 'X-Two': ['c', 'd'] },
      body: Buffer.from('raw bytes').toString('base64'),
      isBase64Encoded: true,
    });

    // Act
    const reply = await send(api, '/healthz');

    // Assess
    assert.equal(reply.status, 201);
    assert.equal(reply.headers['content-type'], 'application/octet-stream');
    assert.equal(reply.headers['x-one'], 'a, b');
    assert.equal(reply.headers['x-two'], 'c, d');
    assert.equal(reply.text, 'raw bytes');
  });

  it("answers the gateway's 502 when a handler throws or returns no proxy result, with no internals", async () => {
    // Prepare
    crashes.length = 0;
    answer = async () => {
      throw new Error('secret detail at /var/task/index.mjs');
    };

    // Act
    const thrown = await send(api, '/healthz');
    answer = async () => 'not a result';
    const malformed = await send(api, '/healthz');

    // Assess
    for (const reply of [thrown, malformed]) {
      assert.equal(reply.status, 502);
      const body = JSON.parse(reply.text) as { error: Record<string, string> };
      assert.equal(body.error['code'], 'internal_error');
      assert.doesNotMatch(reply.text, /secret|var\/task|not a result/);
    }
    assert.equal(crashes.length, 2, 'both failures reported to the console');
  });

  it('refuses a body over 10 MB as API Gateway does', async () => {
    // Act
    const reply = await send(api, '/predict', {
      method: 'PUT',
      headers: { 'x-api-key': KEY },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61),
    });

    // Assess
    assert.equal(reply.status, 413);
    assert.equal((JSON.parse(reply.text) as { error: { code: string } }).error.code, 'REQUEST_TOO_LARGE');
  });
});

describe('the adapter with the real handlers', () => {
  it("answers with the route's handler built on the runtime it is given", async () => {
    // Prepare
    const runtime = createRuntime(smallConfig());
    const api = await startLocalApi({ handlers: createHandlers(runtime), apiKeys: [KEY], port: 0 });

    try {
      // Act
      const response = await fetch(`${api.url}/healthz`);

      // Assess
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { status: string }).status, 'ok');
      assert.ok(response.headers.get('x-amzn-requestid'));
    } finally {
      await api.close();
      await runtime.close();
    }
  });
});

describe('resolveApiKeys', () => {
  it('adds the keys of API_KEYS to the configured ones, once each', () => {
    assert.deepEqual(resolveApiKeys(['configured-key'], { API_KEYS: 'configured-key, extra-key-1 ,,' }), [
      'configured-key',
      'extra-key-1',
    ]);
    assert.deepEqual(resolveApiKeys([], {}), []);
  });

  it('refuses a key shorter than the configuration schema allows, naming the variable', () => {
    assert.throws(() => resolveApiKeys([], { API_KEYS: 'short' }), ApiKeyError);
    assert.throws(() => resolveApiKeys([], { API_KEYS: 'short' }), /API_KEYS: .*at least 8 characters/);
  });
});

describe('parseTarget', () => {
  it('decodes the path and parameters as API Gateway does: %-escapes decoded, + kept', () => {
    const { path, query } = parseTarget('/predict?currency=b%54c&compare=a+b&bad=%zz#fragment');
    assert.equal(path, '/predict');
    assert.deepEqual(
      [...query],
      [
        ['currency', ['bTc']],
        ['compare', ['a+b']],
        ['bad', ['%zz']],
      ],
    );
  });
});
