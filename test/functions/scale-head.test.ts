import './quiet-logs.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newVersion, type Manifest } from '../../core/artifacts/index.js';
import {
  ForecastDistributionSchema,
  serveDistribution,
  type ForecastDistribution,
} from '../../core/distribution/index.js';
import { ModelShapeError, loadModel } from '../../serving/index.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import type { HandlerTable } from '../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../functions/runtime.js';
import { PredictResponseSchema } from '../../functions/schemas/predict.js';
import { onnx } from '../../training-image/src/onnx/proto.js';
import {
  fixture,
  handlersOf,
  manualClock,
  parse,
  responseCandles,
  runPublishedByHand,
  startServingWorld,
  type ServingWorld,
} from './support.js';

const HOUR = 3_600_000;
const PAIR = 'BTC/USDT';
const utf8 = {
  decode: (b: Uint8Array) => new TextDecoder().decode(b),
  encode: (s: string) => new TextEncoder().encode(s),
};

/**
 * distribution.scale 'network' served for real: a tiny model trained with the scale head and published
 * by trainPair, onnxruntime-node answering /predict, and the answer checked against the graph's two
 * outputs mapped through distribution.json by hand.
 */
describe('/predict with the network scale head', () => {
  let world: ServingWorld;
  let runtime: Runtime;
  let api: HandlerTable;
  const clock = manualClock();
  let trusted: string;

  /** Publishes `from`'s files again as a new version, with its distribution.json and model.onnx changed. */
  async function republish(
    from: Manifest,
    change: {
      spec?: (spec: ForecastDistribution) => ForecastDistribution;
      model?: (bytes: Uint8Array) => Uint8Array;
    },
  ): Promise<string> {
    const version = newVersion(new Date());
    const metrics = JSON.parse(utf8.decode(await world.store.readFile(from, 'metrics.json')));
    const spec = await distributionOf(from);
    const model = await world.store.readFile(from, 'model.onnx');
    await world.store.publish({
      pair: PAIR,
      version,
      files: {
        'model.onnx': change.model?.(model) ?? model,
        'scaler.json': await world.store.readFile(from, 'scaler.json'),
        'metrics.json': utf8.encode(JSON.stringify({ ...metrics, version })),
      },
      optionalFiles: { 'distribution.json': utf8.encode(JSON.stringify(change.spec?.(spec) ?? spec)) },
      model: from.model,
    });
    return version;
  }

  async function distributionOf(manifest: Manifest): Promise<ForecastDistribution> {
    const bytes = await world.store.readOptionalFile(manifest, 'distribution.json');
    assert.ok(bytes !== null, 'trainPair published distribution.json');
    return ForecastDistributionSchema.parse(JSON.parse(utf8.decode(bytes)));
  }

  before(async () => {
    world = await startServingWorld([PAIR], { distribution: { scale: 'network' } });
    const trained = await world.publish(PAIR, 1);
    const manifest = await world.store.readManifest(PAIR, trained.version);
    assert.equal((await distributionOf(manifest)).scale.kind, 'network');
    assert.equal(trained.metrics.distribution?.scale, 'network');
    assert.equal(typeof trained.metrics.distribution?.linear_crps_skill, 'number');
    // The tiny model's head may be shrunk to 0 on validation, which would serve B1 whatever the graph
    // says: served with its whole output, the answer depends on log_scale.
    trusted = await republish(manifest, {
      spec: (spec) => ({ ...spec, scale: { kind: 'network', output: 'log_scale', shrink: 1 } }),
    });
    runtime = createRuntime(world.config, { clock: clock.now });
    api = handlersOf(runtime);
  });

  after(async () => {
    await runtime.close();
    await world.close();
  });

  it("serves sigma_B1 x exp(shrink x log_scale): the quantiles are the graph's outputs mapped by hand", async () => {
    // Act
    const result = parse(await api.predict(fixture('predict-get-candles'), createLambdaContext('predict')));

    // Assess
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const body = PredictResponseSchema.parse(result.body);
    assert.equal(body.model.version, trusted);
    const candles = responseCandles(body);
    const length = world.config.features.sequence_length;
    const { manifest, outputs, close } = await runPublishedByHand(
      world.store,
      PAIR,
      trusted,
      candles,
      length,
    );
    const logScale = outputs['log_scale']!;
    const last = candles[length - 1]!;
    const spec = await distributionOf(manifest);
    const input = {
      candles,
      last: length - 1,
      nextOpenTime: last.openTime + HOUR,
      mu: Math.log(close / last.close),
    };
    const hand = serveDistribution(spec).nextClose({ ...input, networkLogScale: logScale });
    assert.equal(body.prediction.close, close);
    assert.deepEqual(body.distribution, hand);
    // and log_scale made a difference: B1's scale (shrink 0) gives other quantiles
    assert.notEqual(logScale, 0);
    const b1 = serveDistribution({ ...spec, scale: { kind: 'network', output: 'log_scale', shrink: 0 } });
    assert.notEqual(
      b1.nextClose({ ...input, networkLogScale: logScale }).quantiles.p95,
      body.distribution.quantiles.p95,
    );
  });

  it('refuses a network-kind version whose graph has no log_scale output, and keeps serving the one before', async () => {
    // Prepare: the same files, the graph's log_scale output removed
    const manifest = await world.store.readManifest(PAIR, trusted);
    const headless = await republish(manifest, {
      model: (bytes) => {
        const model = onnx.ModelProto.decode(bytes);
        const graph = model.graph;
        assert.ok(graph?.output);
        graph.output = graph.output.filter((o) => o.name !== 'log_scale');
        return new Uint8Array(onnx.ModelProto.encode(model).finish());
      },
    });

    // Act
    // The refusal itself, as the predictor meets it (settled at once: no unhandled rejection meanwhile).
    const refusal = await loadModel(world.store, (await world.store.readLatest(PAIR))!).then(
      () => null,
      (error: unknown) => error,
    );
    clock.advance(world.config.serving.refresh_seconds * 1_000);
    parse(await api.predict(fixture('predict-get'), createLambdaContext('predict')));
    await runtime.predictor.settled();
    const answer = parse(await api.predict(fixture('predict-get'), createLambdaContext('predict')));

    // Assess
    assert.ok(refusal instanceof ModelShapeError, String(refusal));
    assert.equal(refusal.version, headless);
    assert.match(refusal.message, /serves the network's scale head, but the graph has no output 'log_scale'/);
    assert.equal(answer.status, 200);
    assert.equal(PredictResponseSchema.parse(answer.body).model.version, trusted);
  });
});
