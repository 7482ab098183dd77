import { ForecastDistributionSchema, serveDistribution } from '../../core/distribution/index.js';
import './quiet-logs.js';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { newVersion } from '../../core/artifacts/index.js';
import type { Candle } from '../../core/market/index.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import type { Predictor } from '../../serving/index.js';
import type { HandlerTable } from '../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../functions/runtime.js';
import { PredictResponseSchema } from '../../functions/schemas/predict.js';
import { nanModel, publishSynthetic } from '../serving/support.js';
import {
  BUCKET,
  deadEndpoint,
  fixture,
  manualClock,
  parse,
  responseCandles,
  runPublishedByHand,
  startServingWorld,
  withQuery,
  type ServingWorld,
  handlersOf,
} from './support.js';

const HOUR = 3_600_000;
const context = () => createLambdaContext('predict');

function errorOf(body: Record<string, unknown>): Record<string, unknown> {
  const error = body['error'];
  assert.ok(
    typeof error === 'object' && error !== null,
    `expected an error body, got ${JSON.stringify(body)}`,
  );
  return error as Record<string, unknown>;
}

/** Nothing internal may reach a client: no stack, no source path, no bucket, no key, no endpoint. */
function assertNoInternals(text: string, world: ServingWorld): void {
  assert.doesNotMatch(text, /\n\s+at |\.ts:\d+|\.js:\d+/);
  assert.ok(!text.includes(BUCKET), 'bucket name leaked');
  assert.ok(!text.includes('models/'), 'object key leaked');
  assert.ok(!text.includes(world.s3.endpoint) && !text.includes(world.exchange.url), 'endpoint leaked');
}

describe('/predict', () => {
  let api: HandlerTable;
  let world: ServingWorld;
  let version: string;
  const runtimes: Runtime[] = [];

  /**
   * A fresh instance (nothing loaded, nothing cached), as after a cold start. Its clock stands still at
   * the real time, so that answers a moment apart report the same model age.
   */
  const coldStart = (config = world.config): Runtime => {
    const runtime = createRuntime(config, { clock: manualClock().now });
    runtimes.push(runtime);
    api = handlersOf(runtime);
    return runtime;
  };

  before(async () => {
    // Served: BTC/USDT (published below), ETH/USDT and CHZ/USDT (nothing published at first).
    world = await startServingWorld(['BTC/USDT', 'ETH/USDT', 'CHZ/USDT']);
    version = (await world.publish('BTC/USDT')).version;
  });

  after(async () => {
    for (const runtime of runtimes) await runtime.close();
    await world.close();
  });

  describe('GET and PUT against a published model', () => {
    before(() => {
      coldStart();
    });

    it('answers the close the published model gives for the window it read', async () => {
      // Act
      const result = parse(await api.predict(fixture('predict-get-candles'), context()));

      // Assess: a valid answer from the published version
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.match(String(result.headers['Content-Type']), /^application\/json/);
      const body = PredictResponseSchema.parse(result.body);
      assert.equal(body.pair, 'BTC/USDT');
      assert.equal(body.interval, '1h');
      assert.equal(body.model.version, version);
      // the same number as running the published model by hand on the window the answer reports
      const candles = responseCandles(body);
      const length = world.config.features.sequence_length;
      assert.equal(candles.length, length);
      const { manifest, close: expected } = await runPublishedByHand(
        world.store,
        'BTC/USDT',
        version,
        candles,
        length,
      );
      assert.equal(body.prediction.close, expected);
      // the window ends with the last closed candle; the prediction is for the one after it
      const last = candles[length - 1] as Candle;
      assert.equal(Date.parse(body.last_candle.open_time), Math.floor(Date.now() / HOUR) * HOUR - HOUR);
      assert.equal(Date.parse(body.last_candle.open_time), last.openTime);
      assert.equal(body.last_candle.close, last.close);
      assert.equal(Date.parse(body.prediction.open_time), last.openTime + HOUR);
      assert.equal(Date.parse(body.prediction.close_time), last.openTime + 2 * HOUR);
      assert.equal(body.change.absolute, expected - last.close);
      assert.ok(Math.abs(body.change.percent - ((expected - last.close) / last.close) * 100) < 1e-9);
      // the distribution: distribution.json applied by hand to the same window, centred on that close
      const bytes = await world.store.readOptionalFile(manifest, 'distribution.json');
      assert.ok(bytes !== null, 'trainPair published distribution.json');
      const spec = ForecastDistributionSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
      const hand = serveDistribution(spec).nextClose({
        candles,
        last: length - 1,
        nextOpenTime: last.openTime + HOUR,
        mu: Math.log(expected / last.close),
      });
      assert.deepEqual(body.distribution, hand);
      assert.ok(hand.intervals.i90.lower < expected && expected < hand.intervals.i90.upper);
      assert.equal(body.model.crps_skill, spec.held_out?.crps_skill);
      assert.deepEqual(body.model.distribution.measured?.coverage_pct, spec.held_out?.coverage_pct);
      assert.equal(body.model.distribution.calibrated, spec.calibration !== null);
    });

    it('reports the model beside the naive forecast, as metrics.json has it', async () => {
      const body = PredictResponseSchema.parse(
        parse(await api.predict(fixture('predict-get'), context())).body,
      );
      const manifest = await world.store.readManifest('BTC/USDT', version);
      const metrics = JSON.parse(
        new TextDecoder().decode(await world.store.readFile(manifest, 'metrics.json')),
      );
      assert.equal(body.model.trained_at, metrics.trained_at);
      assert.equal(body.model.borrowed_from, null);
      assert.ok(body.model.metrics !== null, 'its own version: its test figures');
      assert.equal(body.model.metrics.test_mae, metrics.test.mae);
      assert.equal(body.model.metrics.naive_mae, metrics.test.naive_mae);
      assert.equal(body.model.metrics.skill, metrics.test.skill);
      assert.equal(body.model.sequence_length, world.config.features.sequence_length);
      assert.equal(body.candles, undefined, 'no window unless include=candles');
    });

    it('reads the currencies case-insensitively and gives PUT the same answer as GET', async () => {
      const get = parse(await api.predict(fixture('predict-get'), context()));
      const putQuery = parse(await api.predict(fixture('predict-put-query'), context()));
      const putBody = parse(await api.predict(fixture('predict-put-body'), context()));
      assert.equal(get.status, 200);
      assert.deepEqual(putQuery, get);
      assert.deepEqual(putBody, get);
    });

    it('keeps the window until the next candle closes instead of asking the exchange again', async () => {
      await api.predict(fixture('predict-get'), context());
      world.exchange.requests.length = 0;
      await api.predict(fixture('predict-get'), context());
      await api.predict(fixture('predict-put-query'), context());
      assert.deepEqual(world.exchange.requests, []);
    });

    const badRequests = [
      {
        name: 'a missing compare',
        event: () => fixture('predict-missing-compare'),
        field: 'compare',
        reason: /required/,
      },
      {
        name: 'a malformed currency',
        event: () => fixture('predict-bad-currency'),
        field: 'currency',
        reason: /2 to 12 letters or digits/,
      },
      {
        name: 'a repeated parameter',
        event: () => fixture('predict-repeated-currency'),
        field: 'currency',
        reason: /given 2 times/,
      },
      {
        name: 'an unknown parameter',
        event: () => withQuery(fixture('predict-get'), { currency: 'BTC', compare: 'USDT', curency: 'BTC' }),
        field: 'curency',
        reason: /unknown parameter .*expected currency, compare, include/,
      },
      {
        name: 'an unknown include',
        event: () =>
          withQuery(fixture('predict-get'), { currency: 'BTC', compare: 'USDT', include: 'candle' }),
        field: 'include',
        reason: /unknown value "candle"; allowed: candles/,
      },
      {
        name: 'no parameters at all',
        event: () => withQuery(fixture('predict-get'), {}),
        field: 'currency',
        reason: /required .*also compare: required/,
      },
      {
        name: 'a body that is not JSON',
        event: () => ({ ...fixture('predict-put-body'), isBase64Encoded: false, body: 'currency=BTC' }),
        field: 'body',
        reason: /not valid JSON/,
      },
      {
        name: 'a body that contradicts the query string',
        event: () => ({
          ...fixture('predict-put-query'),
          body: '{"currency":"ETH"}',
          isBase64Encoded: false,
        }),
        field: 'currency',
        reason: /"BTC" in the query string and "ETH" in the body/,
      },
    ];
    for (const { name, event, field, reason } of badRequests) {
      it(`answers 400 naming the field for ${name}`, async () => {
        const result = parse(await api.predict(event(), context()));
        assert.equal(result.status, 400, JSON.stringify(result.body));
        const error = errorOf(result.body);
        assert.equal(error['code'], 'bad_request');
        assert.equal(error['field'], field);
        assert.match(String(error['message']), new RegExp(`^${field}: `));
        assert.match(String(error['message']), reason);
      });
    }

    it('answers 404 for an unknown pair, naming the pairs that have a model', async () => {
      const result = parse(await api.predict(fixture('predict-unknown-pair'), context()));
      assert.equal(result.status, 404);
      const error = errorOf(result.body);
      assert.equal(error['code'], 'unknown_pair');
      assert.deepEqual(error['available'], ['BTC/USDT']);
      assert.match(
        String(error['message']),
        /DOGE\/USDT is not a served pair; pairs with a model: BTC\/USDT/,
      );
    });

    it('answers 404 for a served pair that has no model yet', async () => {
      const event = withQuery(fixture('predict-get'), { currency: 'eth', compare: 'usdt' });
      const result = parse(await api.predict(event, context()));
      assert.equal(result.status, 404);
      const error = errorOf(result.body);
      assert.match(
        String(error['message']),
        /no model has been published for ETH\/USDT yet; pairs with a model: BTC\/USDT/,
      );
      assert.deepEqual(error['available'], ['BTC/USDT']);
    });

    it('answers 405 with Allow for a method the route does not take', async () => {
      const result = parse(await api.predict(fixture('predict-post'), context()));
      assert.equal(result.status, 405);
      assert.equal(result.headers['Allow'], 'GET, PUT');
      assert.equal(errorOf(result.body)['code'], 'method_not_allowed');
      assert.match(String(errorOf(result.body)['message']), /POST is not allowed here; use GET or PUT/);
    });

    it('puts the request id in every error body, and never a stack', async () => {
      const event = fixture('predict-unknown-pair');
      const ctx = createLambdaContext('predict', { awsRequestId: 'req-123' });
      const result = await api.predict(event, ctx);
      assert.equal(errorOf(JSON.parse(result.body))['request_id'], 'req-123');
      assert.doesNotMatch(result.body, /\.ts:\d+|\n\s+at /);
    });
  });

  describe('when something upstream fails', () => {
    const context = () => createLambdaContext('predict', { awsRequestId: 'req-failure' });

    afterEach(() => {
      world.exchange.setFaults({ failNext: 0, dropOpenTimes: [] });
    });

    it("answers 503 market_stale with Retry-After when the exchange's newest candle is hours old", async () => {
      // Prepare: the exchange's series stops 5 hours before the last closed candle, a hole shorter
      // than max_fill_gap: the window still has enough candles, all of them old
      coldStart();
      const lastClosed = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
      world.exchange.setFaults({ dropOpenTimes: [0, 1, 2, 3, 4].map((i) => lastClosed - i * HOUR) });

      // Act
      const result = await api.predict(fixture('predict-get'), context());

      // Assess
      const { status, headers, body } = parse(result);
      assert.equal(status, 503, result.body);
      assert.equal(headers['Retry-After'], '30');
      assert.equal(errorOf(body)['code'], 'market_stale');
      assert.match(
        String(errorOf(body)['message']),
        /newest candle for BTC\/USDT is not the last closed one/,
      );
      assertNoInternals(result.body, world);
    });

    it('answers 503 with Retry-After when the exchange fails', async () => {
      // Prepare
      coldStart();
      world.exchange.setFaults({ failNext: Infinity, failStatus: 500 });

      // Act
      const result = await api.predict(fixture('predict-get'), context());

      // Assess
      const { status, headers, body } = parse(result);
      assert.equal(status, 503);
      assert.equal(headers['Retry-After'], '30');
      assert.equal(errorOf(body)['code'], 'exchange_unavailable');
      assert.match(
        String(errorOf(body)['message']),
        /exchange \(binance\) did not answer for BTC\/USDT; try again later/,
      );
      assertNoInternals(result.body, world);
    });

    it('answers 503 with Retry-After when nothing listens where the exchange should be', async () => {
      coldStart({ ...world.config, exchange: { ...world.config.exchange, url: await deadEndpoint() } });
      const { status, headers, body } = parse(await api.predict(fixture('predict-get'), context()));
      assert.equal(status, 503);
      assert.equal(headers['Retry-After'], '30');
      assert.equal(errorOf(body)['code'], 'exchange_unavailable');
    });

    it('answers 503 with Retry-After when storage is unreachable and no model was loaded', async () => {
      coldStart({ ...world.config, storage: { ...world.config.storage, endpoint: await deadEndpoint() } });
      const result = await api.predict(fixture('predict-get'), context());
      const { status, headers, body } = parse(result);
      assert.equal(status, 503);
      assert.equal(headers['Retry-After'], '30');
      assert.equal(errorOf(body)['code'], 'storage_unavailable');
      assert.equal(errorOf(body)['message'], 'Model storage is unreachable; try again later');
      assertNoInternals(result.body, world);
    });

    it('answers 503 when the published model fails its checksum and no model was loaded', async () => {
      // Prepare: ETH/USDT's model.onnx replaced after publication
      const eth = await world.republish({ pair: 'BTC/USDT', version }, 'ETH/USDT');
      await world.corrupt('ETH/USDT', eth, 'model.onnx');
      coldStart();

      // Act
      const event = withQuery(fixture('predict-get'), { currency: 'ETH', compare: 'USDT' });
      const result = await api.predict(event, context());

      // Assess
      const { status, headers, body } = parse(result);
      assert.equal(status, 503);
      assert.equal(headers['Retry-After'], '60');
      assert.equal(errorOf(body)['code'], 'model_unavailable');
      assert.match(String(errorOf(body)['message']), /could not be loaded \(ArtifactIntegrityError\)/);
      assertNoInternals(result.body, world);
    });

    it('answers 503 for a model whose sequence length disagrees with its manifest', async () => {
      // Prepare: BTC/USDT's files republished as CHZ/USDT with a manifest claiming another window
      await world.republish({ pair: 'BTC/USDT', version }, 'CHZ/USDT', { sequence_length: 48 });
      coldStart();

      // Act
      const event = withQuery(fixture('predict-get'), { currency: 'CHZ', compare: 'USDT' });
      const { status, body } = parse(await api.predict(event, context()));

      // Assess
      assert.equal(status, 503);
      assert.equal(errorOf(body)['code'], 'model_unavailable');
      assert.match(String(errorOf(body)['message']), /ModelShapeError/);
    });

    it('answers 503 naming the version when the model gives NaN', async () => {
      // Prepare: ETH/USDT's latest version (the newest) is a network whose output is NaN
      const nan = await publishSynthetic(world.store, 'ETH/USDT', {
        version: newVersion(new Date()),
        files: { 'model.onnx': nanModel() },
      });
      coldStart();

      // Act
      const event = withQuery(fixture('predict-get'), { currency: 'ETH', compare: 'USDT' });
      const result = await api.predict(event, context());

      // Assess
      const { status, headers, body } = parse(result);
      assert.equal(status, 503, result.body);
      assert.equal(errorOf(body)['code'], 'model_unavailable', result.body);
      assert.equal(headers['Retry-After'], '60');
      assert.equal(
        errorOf(body)['message'],
        `Model version ${nan.version} for ETH/USDT gave no usable prediction (NaN); try again later`,
      );
    });

    it('answers a bare 500 with the request id for anything unexpected', async () => {
      // Prepare: a predictor that fails the way a bug would
      const runtime = coldStart();
      const failing = {
        predict: () =>
          Promise.reject(new TypeError(`Cannot read properties of undefined at ${world.s3.endpoint}`)),
      } as unknown as Predictor;
      api = handlersOf({ ...runtime, predictor: failing });

      // Act
      const result = await api.predict(fixture('predict-get'), context());

      // Assess
      const { status, body } = parse(result);
      assert.equal(status, 500);
      assert.deepEqual(body, {
        error: {
          code: 'internal_error',
          message: 'Internal error; quote request id req-failure when reporting it',
          request_id: 'req-failure',
        },
      });
      assertNoInternals(result.body, world);
    });
  });
});
