import './quiet-logs.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLambdaContext } from '../../functions/lambda-context.js';
import type { HandlerTable } from '../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../functions/runtime.js';
import { ModelsResponseSchema } from '../../functions/schemas/models.js';
import { PredictResponseSchema, type PredictResponse } from '../../functions/schemas/predict.js';
import { StatusResponseSchema } from '../../functions/schemas/ready.js';
import { publishSynthetic } from '../serving/support.js';
import { fixture, parse, startServingWorld, withQuery, type ServingWorld, handlersOf } from './support.js';

const HOUR_MS = 3_600_000;

/**
 * How old the served models are, against schedule.expression's period (60 min) x stale_after_periods
 * (3) of conf/base: 3 hours. BTC/USDT's model was trained 4 hours before NOW, ETH/USDT's 1 hour before;
 * each instance reads a clock fixed by the test, so that ages are exact.
 */
describe('model age and staleness in /predict, /models and /readyz', () => {
  let api: HandlerTable;
  const NOW = Date.now();
  const BTC_TRAINED = NOW - 4 * HOUR_MS;
  const ETH_TRAINED = NOW - HOUR_MS;
  const LIMIT_SECONDS = 3 * 3_600;
  let world: ServingWorld;
  const versions: Record<'BTC/USDT' | 'ETH/USDT', string> = { 'BTC/USDT': '', 'ETH/USDT': '' };
  const runtimes: Runtime[] = [];

  /** A cold instance whose clock reads `at`. */
  const instanceAt = (at: number): void => {
    const runtime = createRuntime(world.config, { clock: () => at });
    runtimes.push(runtime);
    api = handlersOf(runtime);
  };

  const predicted = async (currency: string): Promise<PredictResponse> => {
    const event = withQuery(fixture('predict-get'), { currency, compare: 'USDT' });
    const { status, body } = parse(await api.predict(event, createLambdaContext('predict')));
    assert.equal(status, 200, JSON.stringify(body));
    return PredictResponseSchema.parse(body);
  };

  const ready = async () => {
    const { status, headers, body } = parse(
      await api.status(fixture('status-get'), createLambdaContext('status')),
    );
    return { status, headers, body: StatusResponseSchema.parse(body) };
  };

  before(async () => {
    world = await startServingWorld(['BTC/USDT', 'ETH/USDT']);
    // The base configuration's limit, as deployed: conf/local leaves both keys to conf/base.
    assert.equal(world.config.schedule.expression, 'rate(1 hour)');
    assert.equal(world.config.serving.stale_after_periods, 3);
    for (const [pair, trained] of [
      ['BTC/USDT', BTC_TRAINED],
      ['ETH/USDT', ETH_TRAINED],
    ] as const) {
      const published = await publishSynthetic(world.store, pair, {
        trainedAt: new Date(trained).toISOString(),
      });
      versions[pair] = published.version;
    }
  });

  after(async () => {
    for (const runtime of runtimes) await runtime.close();
    await world.close();
  });

  it('flags a model older than the limit as stale in GET and PUT /predict, and still answers', async () => {
    // Prepare
    instanceAt(NOW);

    // Act
    const get = await predicted('btc');
    const put = parse(await api.predict(fixture('predict-put-body'), createLambdaContext('predict')));

    // Assess: the model's training time, skill, age and the limit, beside what was there before
    assert.deepEqual(
      {
        version: get.model.version,
        trained_at: get.model.trained_at,
        age_seconds: get.model.age_seconds,
        skill: get.model.skill,
        stale: get.model.stale,
        stale_after_seconds: get.model.stale_after_seconds,
        target_mode: get.model.target_mode,
      },
      {
        version: versions['BTC/USDT'],
        trained_at: new Date(BTC_TRAINED).toISOString(),
        age_seconds: 4 * 3_600,
        skill: -0.205,
        stale: true,
        stale_after_seconds: LIMIT_SECONDS,
        target_mode: 'level',
      },
    );
    assert.equal(get.model.metrics?.skill, get.model.skill);
    assert.equal(typeof get.prediction.close, 'number', 'a stale model still predicts');
    assert.equal(put.status, 200);
    assert.deepEqual(PredictResponseSchema.parse(put.body).model, get.model);
  });

  it('does not flag a model younger than the limit', async () => {
    instanceAt(NOW);
    const eth = await predicted('eth');
    assert.equal(eth.model.stale, false);
    assert.equal(eth.model.age_seconds, 3_600);
    assert.equal(eth.model.stale_after_seconds, LIMIT_SECONDS);
  });

  it('answers /readyz 503 naming the stale pair, its age and the limit', async () => {
    // Prepare
    instanceAt(NOW);

    // Act
    const { status, headers, body } = await ready();

    // Assess
    assert.equal(status, 503);
    assert.equal(headers['Retry-After'], '30');
    assert.equal(body.ready, false);
    assert.equal(body.storage, 'ok');
    assert.deepEqual(
      body.models.map((m) => [m.pair, m.version, m.age_seconds, m.stale]),
      [
        ['BTC/USDT', versions['BTC/USDT'], 4 * 3_600, true],
        ['ETH/USDT', versions['ETH/USDT'], 3_600, false],
      ],
    );
    assert.deepEqual(body.problems, [
      `BTC/USDT: model ${versions['BTC/USDT']} is stale: trained ${new Date(BTC_TRAINED).toISOString()}, ` +
        '4.0 h (14400 s) ago, over the limit of 3.0 h (10800 s: 3 schedule periods of 60 min)',
    ]);
  });

  it('lists each pair with its age and staleness in /models', async () => {
    instanceAt(NOW);
    const { status, body } = parse(await api.models(fixture('models-get'), createLambdaContext('models')));
    assert.equal(status, 200);
    const listed = ModelsResponseSchema.parse(body);
    assert.deepEqual(
      listed.models.map((m) => [m.pair, m.trained_at, m.age_seconds, m.stale, m.stale_after_seconds]),
      [
        ['BTC/USDT', new Date(BTC_TRAINED).toISOString(), 4 * 3_600, true, LIMIT_SECONDS],
        ['ETH/USDT', new Date(ETH_TRAINED).toISOString(), 3_600, false, LIMIT_SECONDS],
      ],
    );
  });

  it('is not stale exactly at the limit, and is one second later', async () => {
    // Prepare: an instance whose clock reads the moment BTC/USDT's model is exactly 3 hours old
    instanceAt(BTC_TRAINED + LIMIT_SECONDS * 1_000);

    // Act
    const atLimit = await predicted('btc');
    const readyAtLimit = await ready();
    instanceAt(BTC_TRAINED + (LIMIT_SECONDS + 1) * 1_000);
    const past = await predicted('btc');
    const readyPast = await ready();

    // Assess: every served model fresh at the limit, so ready
    assert.equal(atLimit.model.age_seconds, LIMIT_SECONDS);
    assert.equal(atLimit.model.stale, false);
    assert.equal(readyAtLimit.status, 200);
    assert.deepEqual(readyAtLimit.body.problems, []);
    assert.equal(past.model.age_seconds, LIMIT_SECONDS + 1);
    assert.equal(past.model.stale, true);
    assert.equal(readyPast.status, 503);
    assert.match(readyPast.body.problems.join('\n'), /^BTC\/USDT: model \S+ is stale/);
  });

  it('answers /readyz 200 when every served model is fresh', async () => {
    // BTC/USDT exactly at the limit, ETH/USDT just trained
    instanceAt(ETH_TRAINED);
    const { status, body } = await ready();
    assert.equal(status, 200);
    assert.equal(body.ready, true);
    assert.deepEqual(
      body.models.map((m) => [m.stale, m.clock_skew]),
      [
        [false, false],
        [false, false],
      ],
    );
  });

  it('never serves a model trained in the future of the clock: 503, and /readyz names why', async () => {
    // Prepare: an instance whose clock reads 2 hours before ETH/USDT's trained_at
    instanceAt(ETH_TRAINED - 2 * HOUR_MS);

    // Act
    const eth = parse(
      await api.predict(
        withQuery(fixture('predict-get'), { currency: 'eth', compare: 'usdt' }),
        createLambdaContext('predict'),
      ),
    );
    const { status, body } = await ready();

    // Assess: a clock that ran ahead cannot make a model look fresh for as long as it was ahead
    assert.equal(eth.status, 503, JSON.stringify(eth.body));
    assert.equal((eth.body['error'] as { code: string }).code, 'model_unavailable');
    // BTC/USDT still serves, so the instance is ready; the refused pair is among its problems.
    assert.equal(status, 200);
    assert.match(
      body.problems.join('\n'),
      /ETH\/USDT: The published model could not be loaded \(ModelBoundsError\)/,
    );
    assert.deepEqual(
      body.models.map((m) => [m.pair, m.stale, m.clock_skew]),
      [['BTC/USDT', false, false]],
    );
  });

  it('documents the age fields in /openapi.json', async () => {
    const { body } = parse(await api.openapi(fixture('openapi-get'), createLambdaContext('openapi')));
    const schemas = (body['components'] as { schemas: Record<string, { properties: object }> }).schemas;
    const summary = Object.keys(schemas['ModelSummary']?.properties ?? {});
    for (const field of ['trained_at', 'age_seconds', 'skill', 'stale', 'stale_after_seconds', 'target_mode'])
      assert.ok(summary.includes(field), `ModelSummary.${field}`);
  });
});
