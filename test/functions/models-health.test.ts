import './quiet-logs.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as z from 'zod';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { ROUTES } from '../../functions/routes.js';
import type { HandlerTable } from '../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../functions/runtime.js';
import { HealthResponseSchema } from '../../functions/schemas/health.js';
import { ModelsResponseSchema } from '../../functions/schemas/models.js';
import { PredictResponseSchema } from '../../functions/schemas/predict.js';
import { StatusResponseSchema } from '../../functions/schemas/ready.js';
import { PredictRequestSchema } from '../../functions/schemas/request.js';
import { fixture, parse, startServingWorld, withQuery, type ServingWorld, handlersOf } from './support.js';

describe('GET /models, /healthz, /readyz and /openapi.json', () => {
  let api: HandlerTable;
  let world: ServingWorld;
  const runtimes: Runtime[] = [];
  let btc: string;
  let eth: string;

  const use = (runtime: Runtime): Runtime => {
    runtimes.push(runtime);
    api = handlersOf(runtime);
    return runtime;
  };

  before(async () => {
    world = await startServingWorld(['BTC/USDT', 'ETH/USDT', 'CHZ/USDT']);
    btc = (await world.publish('BTC/USDT')).version;
    eth = await world.republish({ pair: 'BTC/USDT', version: btc }, 'ETH/USDT');
    await world.corrupt('ETH/USDT', eth, 'scaler.json');
  });

  after(async () => {
    for (const runtime of runtimes) await runtime.close();
    await world.close();
  });

  it('lists every published pair with its version, training time and metrics, and the broken ones apart', async () => {
    // Prepare
    use(createRuntime(world.config));

    // Act
    const { status, body } = parse(await api.models(fixture('models-get'), createLambdaContext('models')));

    // Assess
    assert.equal(status, 200);
    const listed = ModelsResponseSchema.parse(body);
    assert.equal(listed.models.length, 1);
    const [model] = listed.models;
    const manifest = await world.store.readManifest('BTC/USDT', btc);
    const metrics = JSON.parse(
      new TextDecoder().decode(await world.store.readFile(manifest, 'metrics.json')),
    );
    assert.equal(model?.pair, 'BTC/USDT');
    assert.equal(model?.version, btc);
    assert.equal(model?.trained_at, metrics.trained_at);
    assert.deepEqual(model?.metrics, {
      test_mae: metrics.test.mae,
      naive_mae: metrics.test.naive_mae,
      skill: metrics.test.skill,
      direction_accuracy: metrics.test.direction_accuracy,
      test_windows: metrics.test.windows,
    });
    // ETH/USDT is published but corrupt; CHZ/USDT is served but was never published
    assert.deepEqual(listed.unavailable, [
      {
        pair: 'ETH/USDT',
        error: {
          code: 'model_unavailable',
          message: 'The published model could not be loaded (ArtifactIntegrityError); try again later',
        },
      },
    ]);
  });

  it('answers /healthz without touching storage', async () => {
    // Prepare: an instance whose storage does not exist
    use(
      createRuntime({
        ...world.config,
        storage: { ...world.config.storage, endpoint: 'http://127.0.0.1:9' },
      }),
    );

    // Act
    const { status, body } = parse(await api.healthz(fixture('healthz-get'), createLambdaContext('healthz')));

    // Assess
    assert.equal(status, 200);
    assert.equal(HealthResponseSchema.parse(body).status, 'ok');
  });

  it('answers /readyz 200 when storage answers and a model loads', async () => {
    use(createRuntime(world.config));
    const { status, body } = parse(await api.status(fixture('status-get'), createLambdaContext('status')));
    assert.equal(status, 200);
    const ready = StatusResponseSchema.parse(body);
    assert.equal(ready.ready, true);
    assert.equal(ready.storage, 'ok');
    assert.deepEqual(
      ready.models.map((m) => [m.pair, m.version, m.stale]),
      [['BTC/USDT', btc, false]],
      'a model trained moments ago is fresh',
    );
    assert.deepEqual(ready.problems, [
      'ETH/USDT: The published model could not be loaded (ArtifactIntegrityError); try again later',
    ]);
  });

  it('answers /readyz 503 when storage answers but no served pair has a model', async () => {
    use(createRuntime({ ...world.config, pairs: ['CHZ/USDT'] }));
    const result = parse(await api.status(fixture('status-get'), createLambdaContext('status')));
    assert.equal(result.status, 503);
    assert.deepEqual(StatusResponseSchema.parse(result.body), {
      ready: false,
      storage: 'ok',
      models: [],
      problems: ['no served pair has a published model yet'],
    });
  });

  it('answers 405 to a method the route does not take, and 400 to parameters it does not take', async () => {
    const post = parse(
      await api.healthz({ ...fixture('healthz-get'), httpMethod: 'POST' }, createLambdaContext('healthz')),
    );
    assert.equal(post.status, 405);
    assert.equal(post.headers['Allow'], 'GET');
    const query = parse(
      await api.models(withQuery(fixture('models-get'), { pair: 'BTC/USDT' }), createLambdaContext('models')),
    );
    assert.equal(query.status, 400);
    assert.match(JSON.stringify(query.body), /pair: unknown parameter \(none is expected\)/);
  });

  it('describes every route in OpenAPI 3.1 with the schemas the handlers validate with', async () => {
    // Act
    const { status, body } = parse(await api.openapi(fixture('openapi-get'), createLambdaContext('openapi')));

    // Assess: every route and method of the contract, API keys where the contract asks for them
    assert.equal(status, 200);
    assert.equal(body['openapi'], '3.1.0');
    const paths = body['paths'] as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(Object.keys(paths).sort(), ROUTES.map((r) => r.path).sort());
    for (const route of ROUTES) {
      const methods = Object.keys(paths[route.path] ?? {});
      assert.deepEqual(
        methods,
        route.methods.map((m) => m.toLowerCase()),
        route.path,
      );
      for (const method of methods) {
        const security = paths[route.path]?.[method]?.['security'];
        const expected = { key: [{ api_key: [] }], public: [], operator: [{ sigv4: [] }] }[route.access];
        assert.deepEqual(security, expected, `${method} ${route.path}`);
      }
    }
    // the query parameters of /predict are those of the request schema, with its patterns
    const get = paths['/predict']?.['get'] as {
      parameters: { name: string; required: boolean; schema: unknown }[];
    };
    const input = z.toJSONSchema(PredictRequestSchema, { io: 'input' }) as {
      properties: Record<string, { pattern?: string }>;
      required: string[];
    };
    assert.deepEqual(
      get.parameters.map((p) => p.name),
      Object.keys(input.properties),
    );
    assert.deepEqual(
      get.parameters.filter((p) => p.required).map((p) => p.name),
      input.required,
    );
    assert.equal(
      (get.parameters[0]?.schema as { pattern: string }).pattern,
      input.properties['currency']?.pattern,
    );
    // the 200 answer of /predict is the response schema the handler checks its answers with
    const schemas = (
      body['components'] as { schemas: Record<string, { properties: object; required: string[] }> }
    ).schemas;
    const response = schemas['PredictResponse'];
    assert.deepEqual(Object.keys(response?.properties ?? {}), Object.keys(PredictResponseSchema.shape));
    assert.deepEqual(
      response?.required,
      Object.entries(PredictResponseSchema.shape)
        .filter(([, schema]) => !schema.safeParse(undefined).success)
        .map(([key]) => key),
    );
    // every $ref points at a component that exists
    const refs = [...JSON.stringify(body).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map(
      (m) => m[1],
    );
    for (const ref of new Set(refs))
      assert.ok(ref !== undefined && ref in schemas, `missing component ${ref}`);
  });
});
