/**
 * A configured pair with no version of its own, answered through the real /predict and /models handlers
 * (the Lambda runtime, the fake exchange's candles, the S3-compatible server): served by the shared
 * network of another pair's version, and saying so.
 */
import './quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { ModelsResponseSchema } from '../../functions/schemas/models.js';
import { PredictResponseSchema } from '../../functions/schemas/predict.js';
import { publishSynthetic } from '../serving/support.js';
import { networkSpec, randomNetworkOnnx, servingNetwork } from '../serving/scale-network-fixture.js';
import { fixture, parse, useServedApi, withQuery } from './support.js';

/** The pair whose version lends its network, and one on the fake exchange, configured, never published. */
const [DONOR, NEW_PAIR] = ['BTC/USDT', 'CHZ/USDT'] as const;

describe('/predict for a pair with no version of its own', () => {
  let donor: string;
  const served = useServedApi([DONOR, NEW_PAIR], async (world) => {
    const { selectBackend } = await import('../../training-image/src/tf/backend.js');
    await selectBackend('cpu');
    const onnx = randomNetworkOnnx();
    donor = (
      await publishSynthetic(world.store, DONOR, {
        distribution: servingNetwork(networkSpec(onnx)),
        scaleOnnx: onnx,
      })
    ).version;
  });

  it("answers 200 with the donor's network, the last close, and says it is borrowed", async () => {
    // Act
    const result = parse(
      await served.api.predict(
        withQuery(fixture('predict-get'), { currency: 'CHZ', compare: 'USDT' }),
        createLambdaContext('predict'),
      ),
    );

    // Assess
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const body = PredictResponseSchema.parse(result.body);
    assert.equal(body.pair, NEW_PAIR);
    assert.deepEqual(body.model.borrowed_from, { pair: DONOR, version: donor });
    assert.equal(body.prediction.close, body.last_candle.close, 'no point model of its own: no change');
    assert.equal(body.model.metrics, null);
    assert.equal(body.model.distribution.scale, 'shared_network');
    assert.equal(body.model.distribution.network?.calibration, 'pooled');
    assert.equal(body.model.distribution.network?.trained_on_this_pair, false);
    assert.equal(body.model.distribution.measured, null);
    assert.ok(body.distribution.quantiles.p05 < body.prediction.close);
    assert.ok(body.prediction.close < body.distribution.quantiles.p95);
  });

  it('lists it in /models beside the donor', async () => {
    // Act
    const result = parse(await served.api.models(fixture('models-get'), createLambdaContext('models')));

    // Assess
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const { models } = ModelsResponseSchema.parse(result.body);
    assert.deepEqual(
      models.map((m) => [m.pair, m.borrowed_from?.pair ?? null]),
      [
        [DONOR, null],
        [NEW_PAIR, DONOR],
      ],
    );
  });
});
