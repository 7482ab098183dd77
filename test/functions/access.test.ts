import './quiet-logs.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  createHandlers,
  createReadiness,
  readyzHandler,
  READYZ_CACHE_MS,
} from '../../functions/handlers/index.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { createRuntime, type Runtime } from '../../functions/runtime.js';
import { smallConfig } from '../support/small-config.js';
import { publishSynthetic } from '../serving/support.js';
import { fixture, manualClock, parse, startServingWorld, withQuery, type ServingWorld } from './support.js';

const withOrigin = (event: APIGatewayProxyEvent, origin: string): APIGatewayProxyEvent => ({
  ...event,
  headers: { ...event.headers, Origin: origin },
  multiValueHeaders: { ...event.multiValueHeaders, Origin: [origin] },
});

describe('CORS headers on the answers themselves', () => {
  const runtimes: Runtime[] = [];
  const handlersFor = (origins: string[]) => {
    const config = smallConfig({ serving: { cors_origins: origins } });
    const runtime = createRuntime(config);
    runtimes.push(runtime);
    return createHandlers(runtime);
  };

  after(async () => {
    for (const runtime of runtimes) await runtime.close();
  });

  it('names an allowed origin on a success and on an error, and exposes Retry-After', async () => {
    // Prepare
    const handlers = handlersFor(['https://app.example', 'https://other.example']);

    // Act
    const ok = parse(
      await handlers.healthz(
        withOrigin(fixture('healthz-get'), 'https://app.example'),
        createLambdaContext('h'),
      ),
    );
    const refused = parse(
      await handlers.predict(
        withOrigin(withQuery(fixture('predict-get'), { currency: 'BTC' }), 'https://other.example'),
        createLambdaContext('p'),
      ),
    );
    const foreign = parse(
      await handlers.healthz(
        withOrigin(fixture('healthz-get'), 'https://evil.example'),
        createLambdaContext('h'),
      ),
    );

    // Assess
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['Access-Control-Allow-Origin'], 'https://app.example');
    assert.equal(ok.headers['Vary'], 'Origin');
    assert.match(String(ok.headers['Access-Control-Expose-Headers']), /Retry-After/);
    assert.equal(refused.status, 400);
    assert.equal(refused.headers['Access-Control-Allow-Origin'], 'https://other.example');
    assert.equal(foreign.headers['Access-Control-Allow-Origin'], undefined, 'an origin not in the list');
  });

  it('answers * when any origin is allowed, and nothing when none is', async () => {
    const any = parse(
      await handlersFor(['*']).healthz(
        withOrigin(fixture('healthz-get'), 'https://x.example'),
        createLambdaContext('h'),
      ),
    );
    const none = parse(
      await handlersFor([]).healthz(
        withOrigin(fixture('healthz-get'), 'https://x.example'),
        createLambdaContext('h'),
      ),
    );
    assert.equal(any.headers['Access-Control-Allow-Origin'], '*');
    assert.equal(none.headers['Access-Control-Allow-Origin'], undefined);
  });
});

describe('/readyz answer cache', () => {
  let world: ServingWorld;
  let runtime: Runtime;

  before(async () => {
    world = await startServingWorld(['BTC/USDT']);
    runtime = createRuntime(world.config);
  });

  after(async () => {
    await runtime.close();
    await world.close();
  });

  it('answers from one evaluation for a few seconds, then looks again', async () => {
    // Prepare: nothing published yet
    const clock = manualClock();
    const readyz = readyzHandler(runtime, createReadiness(runtime, { now: clock.now }));
    const ask = async () => parse(await readyz(fixture('readyz-get'), createLambdaContext('readyz')));
    const first = await ask();
    assert.equal(first.status, 503);

    // Act: a model is published; within the cache the answer stays, after it the model is seen
    await publishSynthetic(world.store, 'BTC/USDT', { trainedAt: new Date().toISOString() });
    clock.advance(READYZ_CACHE_MS - 1);
    const cached = await ask();
    clock.advance(1);
    const fresh = await ask();

    // Assess
    assert.deepEqual(cached, first, 'the same answer within the cache');
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  });

  it('makes one evaluation for calls that arrive together', async () => {
    // Prepare: a predictor that counts its storage probes (readiness pings storage through it)
    let pings = 0;
    const predictor = runtime.predictor;
    const counted = {
      ...runtime,
      predictor: Object.assign(Object.create(predictor) as typeof predictor, {
        checkStorage: async () => {
          pings++;
          return predictor.checkStorage();
        },
      }),
    };
    const readyz = readyzHandler(counted);

    // Act
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => readyz(fixture('readyz-get'), createLambdaContext('readyz'))),
    );

    // Assess
    assert.equal(pings, 1);
    assert.ok(answers.every((answer) => answer.statusCode === 200));
  });
});

describe('security headers and what the public routes tell', () => {
  let world: ServingWorld;
  let runtime: Runtime;

  before(async () => {
    world = await startServingWorld(['BTC/USDT']);
    await publishSynthetic(world.store, 'BTC/USDT', { trainedAt: new Date().toISOString() });
    runtime = createRuntime(world.config);
  });

  after(async () => {
    await runtime.close();
    await world.close();
  });

  it('sends HSTS and nosniff on a success, a refusal and a failure alike', async () => {
    const handlers = createHandlers(runtime);
    const answers = [
      parse(await handlers.healthz(fixture('healthz-get'), createLambdaContext('h'))),
      parse(
        await handlers.predict(
          withQuery(fixture('predict-get'), { currency: '!' }),
          createLambdaContext('p'),
        ),
      ),
      parse(
        await handlers.predict(
          withQuery(fixture('predict-get'), { currency: 'XRP', compare: 'USDT' }),
          createLambdaContext('p'),
        ),
      ),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 400, 404],
    );
    for (const answer of answers) {
      assert.equal(answer.headers['Strict-Transport-Security'], 'max-age=63072000; includeSubDomains');
      assert.equal(answer.headers['X-Content-Type-Options'], 'nosniff');
    }
  });

  it('answers /readyz with ready alone, and /status with the reasons', async () => {
    const handlers = createHandlers(runtime);
    const ready = parse(await handlers.readyz(fixture('readyz-get'), createLambdaContext('r')));
    const status = parse(await handlers.status(fixture('status-get'), createLambdaContext('s')));

    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(ready.body, { ready: true });
    assert.equal(status.status, 200);
    assert.deepEqual(Object.keys(status.body).sort(), ['models', 'problems', 'ready', 'storage']);
  });
});
