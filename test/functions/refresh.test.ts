import './quiet-logs.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLambdaContext } from '../../functions/lambda-context.js';
import type { HandlerTable } from '../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../functions/runtime.js';
import { ModelsResponseSchema, ReloadResponseSchema } from '../../functions/schemas/models.js';
import { PredictResponseSchema } from '../../functions/schemas/predict.js';
import { StatusResponseSchema } from '../../functions/schemas/ready.js';
import { fixture, manualClock, parse, startServingWorld, type ServingWorld, handlersOf } from './support.js';

/**
 * One warm instance through a model's life: a new version published while it serves, a corrupt one,
 * an operator's reload, and storage going away. The tests run in order and share the instance.
 */
describe('a warm instance while models are published', () => {
  let api: HandlerTable;
  const clock = manualClock();
  let world: ServingWorld;
  let runtime: Runtime;
  let refreshMs: number;
  const versions: string[] = [];

  const served = async (): Promise<{ version: string; close: number }> => {
    const { status, body } = parse(await api.predict(fixture('predict-get'), createLambdaContext('predict')));
    assert.equal(status, 200, JSON.stringify(body));
    const parsed = PredictResponseSchema.parse(body);
    return { version: parsed.model.version, close: parsed.prediction.close };
  };

  before(async () => {
    world = await startServingWorld(['BTC/USDT']);
    refreshMs = world.config.serving.refresh_seconds * 1_000;
    versions.push((await world.publish('BTC/USDT', 1)).version);
    runtime = createRuntime(world.config, { clock: clock.now });
    api = handlersOf(runtime);
  });

  after(async () => {
    await runtime.close();
    await world.close();
  });

  it('serves a model published while it is warm once the refresh interval has passed', async () => {
    // Prepare: the instance serves the first version
    const first = await served();
    assert.equal(first.version, versions[0]);

    // Act: a new model (other weights) is published
    versions.push((await world.publish('BTC/USDT', 2)).version);

    // Assess: the loaded model keeps serving within the interval, the new one after it
    clock.advance(refreshMs - 1_000);
    assert.deepEqual(await served(), first);
    clock.advance(1_000);
    // the first request past the interval answers from memory and starts the refresh behind it
    assert.deepEqual(await served(), first);
    await runtime.predictor.settled();
    const second = await served();
    assert.equal(second.version, versions[1]);
    assert.notEqual(second.close, first.close, 'the new weights give another prediction');
  });

  it('keeps serving the loaded model when the new version is corrupt', async () => {
    // Prepare: a third version whose model.onnx no longer matches its manifest
    const third = await world.republish({ pair: 'BTC/USDT', version: versions[1] as string }, 'BTC/USDT');
    await world.corrupt('BTC/USDT', third, 'model.onnx');
    versions.push(third);

    // Act
    clock.advance(refreshMs);
    await served();
    await runtime.predictor.settled();
    const answer = await served();

    // Assess
    assert.equal(answer.version, versions[1]);
    const listed = ModelsResponseSchema.parse(
      parse(await api.models(fixture('models-get'), createLambdaContext('models'))).body,
    );
    assert.deepEqual(
      listed.models.map((m) => [m.pair, m.version]),
      [['BTC/USDT', versions[1]]],
    );
  });

  it('reports on reload that the latest version failed and which one still serves', async () => {
    const { status, body } = parse(await api.reload(fixture('reload-post'), createLambdaContext('reload')));
    assert.equal(status, 200);
    const result = ReloadResponseSchema.parse(body);
    assert.equal(result.ok, false);
    assert.equal(result.pairs.length, 1);
    const [btc] = result.pairs;
    assert.equal(btc?.version, versions[1]);
    assert.equal(btc?.changed, false);
    assert.equal(btc?.error?.code, 'model_unavailable');
  });

  it('loads a good version at once on reload, without waiting for the interval', async () => {
    // Prepare: the first model's files published again as a fourth version
    versions.push(await world.republish({ pair: 'BTC/USDT', version: versions[0] as string }, 'BTC/USDT'));

    // Act
    const { body } = parse(await api.reload(fixture('reload-post'), createLambdaContext('reload')));

    // Assess
    const result = ReloadResponseSchema.parse(body);
    assert.deepEqual(result, {
      ok: true,
      pairs: [{ pair: 'BTC/USDT', version: versions[3], previous_version: versions[1], changed: true }],
    });
    assert.equal((await served()).version, versions[3]);
  });

  it('keeps serving when storage goes away, and says it is not ready', async () => {
    // Prepare
    await world.s3.close();

    // Act
    clock.advance(refreshMs);
    const answer = await served();
    const ready = parse(await api.status(fixture('status-get'), createLambdaContext('status')));

    // Assess
    assert.equal(answer.version, versions[3]);
    assert.equal(ready.status, 503);
    assert.equal(ready.headers['Retry-After'], '30');
    const body = StatusResponseSchema.parse(ready.body);
    assert.equal(body.ready, false);
    assert.equal(body.storage, 'unavailable');
    assert.deepEqual(body.problems, ['Model storage is unreachable; try again later']);
  });
});
