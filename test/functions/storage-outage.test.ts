import './quiet-logs.js';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { createLambdaContext } from '../../functions/lambda-context.js';
import type { HandlerTable } from '../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../functions/runtime.js';
import { ModelsResponseSchema, ReloadResponseSchema } from '../../functions/schemas/models.js';
import { PredictResponseSchema } from '../../functions/schemas/predict.js';
import { StatusResponseSchema } from '../../functions/schemas/ready.js';
import { publishSynthetic } from '../serving/support.js';
import {
  fixture,
  manualClock,
  parse,
  startServingWorld,
  withQuery,
  type JsonResult,
  type ServingWorld,
  handlersOf,
} from './support.js';

/** Far above a warm prediction (milliseconds), far below the SDK's timeouts on a hung store (seconds). */
const FAST_MS = 1_000;

/**
 * How many times a load that is not under test (the warm-up, the reload once storage is back) may be
 * asked for before the test gives up. Loads here have a 1 s budget, the bound the timed tests check; on
 * a busy machine a first load (model download, onnxruntime session) can take longer than that. The
 * timed-out load goes on in the background, so asking again after it settled finds the model.
 */
const LOAD_ATTEMPTS = 10;

/**
 * A warm instance while the S3-compatible server is paused with SIGSTOP: its sockets stay open and
 * nothing answers, as with a hung store. The loaded model must keep answering at once, and /readyz
 * must say that storage is down without waiting for the SDK to give up.
 */
describe('a warm instance while storage hangs', () => {
  const clock = manualClock();
  let world: ServingWorld;
  let runtime: Runtime;
  let api: HandlerTable;
  let btc: string;
  let paused = false;

  const timed = async (call: () => Promise<JsonResult>): Promise<{ ms: number; result: JsonResult }> => {
    const start = performance.now();
    const result = await call();
    return { ms: performance.now() - start, result };
  };
  const predictPair = async (currency: string): Promise<JsonResult> =>
    parse(
      await api.predict(
        withQuery(fixture('predict-get'), { currency, compare: 'USDT' }),
        createLambdaContext('predict'),
      ),
    );
  /** A pair's prediction once its model is loaded, however long the load takes on this machine. */
  const predictLoaded = async (currency: string): Promise<JsonResult> => {
    let answer = await predictPair(currency);
    for (let attempt = 1; attempt < LOAD_ATTEMPTS && answer.status === 503; attempt += 1) {
      await runtime.predictor.settled();
      clock.advance(world.config.serving.refresh_seconds * 1_000);
      answer = await predictPair(currency);
    }
    return answer;
  };
  const pause = (): void => {
    process.kill(world.s3.pid, 'SIGSTOP');
    paused = true;
  };
  const resume = (): void => {
    if (paused) process.kill(world.s3.pid, 'SIGCONT');
    paused = false;
  };

  before(async () => {
    world = await startServingWorld(['BTC/USDT', 'ETH/USDT']);
    btc = (await publishSynthetic(world.store, 'BTC/USDT')).version;
    await publishSynthetic(world.store, 'ETH/USDT');
    runtime = createRuntime(world.config, {
      clock: clock.now,
      storageWaits: { loadMs: 1_000, probeMs: 500 },
    });
    api = handlersOf(runtime);
  });

  after(async () => {
    // A stopped child cannot be closed: resume it first, whatever the tests did.
    resume();
    await runtime.close();
    await world.close();
  });

  it('answers /predict for the loaded model at once, past the refresh interval, with storage paused', async () => {
    // Prepare: BTC/USDT loaded and its candles cached
    const warm = await predictLoaded('BTC');
    assert.equal(warm.status, 200, JSON.stringify(warm.body));
    pause();

    // Act: the refresh interval passes while storage hangs
    clock.advance(world.config.serving.refresh_seconds * 1_000 + 1_000);
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await timed(() => predictPair('BTC')));

    // Assess
    for (const { ms, result } of answers) {
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.equal(PredictResponseSchema.parse(result.body).model.version, btc);
      assert.ok(ms < FAST_MS, `a warm prediction took ${ms.toFixed(0)} ms with storage paused`);
    }
  });

  it('reports storage as unavailable in /readyz quickly, with when it failed', async () => {
    const { ms, result } = await timed(async () =>
      parse(await api.status(fixture('status-get'), createLambdaContext('status'))),
    );

    assert.ok(ms < 2_000, `/readyz took ${ms.toFixed(0)} ms with storage paused`);
    assert.equal(result.status, 503);
    const body = StatusResponseSchema.parse(result.body);
    assert.equal(body.ready, false);
    assert.equal(body.storage, 'unavailable');
    assert.equal(body.storage_error?.message, 'Model storage is unreachable; try again later');
    assert.ok(
      body.storage_error !== undefined && Date.parse(body.storage_error.last_error_at) <= clock.now(),
    );
  });

  it('lists the loaded model in /models without waiting for storage', async () => {
    const { ms, result } = await timed(async () =>
      parse(await api.models(fixture('models-get'), createLambdaContext('models'))),
    );

    assert.ok(ms < 2_000, `/models took ${ms.toFixed(0)} ms with storage paused`);
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const listed = ModelsResponseSchema.parse(result.body);
    assert.deepEqual(
      listed.models.map((m) => [m.pair, m.version]),
      [['BTC/USDT', btc]],
    );
  });

  it('answers POST /models/reload within its bounded wait, saying what still serves and why not the latest', async () => {
    const { ms, result } = await timed(async () =>
      parse(await api.reload(fixture('reload-post'), createLambdaContext('reload'))),
    );

    assert.ok(ms < 3_000, `/models/reload took ${ms.toFixed(0)} ms with storage paused`);
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const body = ReloadResponseSchema.parse(result.body);
    assert.equal(body.ok, false);
    assert.deepEqual(
      body.pairs.map((p) => [p.pair, p.version, p.changed, p.error?.code]),
      [
        ['BTC/USDT', btc, false, 'storage_unavailable'],
        ['ETH/USDT', null, false, 'storage_unavailable'],
      ],
    );
  });

  it('answers a pair with no model loaded 503 within its bounded wait', async () => {
    const { ms, result } = await timed(() => predictPair('ETH'));

    assert.ok(ms < 3_000, `a cold pair took ${ms.toFixed(0)} ms to give up`);
    assert.equal(result.status, 503, JSON.stringify(result.body));
    assert.deepEqual(result.body['error'], {
      code: 'storage_unavailable',
      message: 'Model storage is unreachable; try again later',
      request_id: (result.body['error'] as { request_id: string }).request_id,
    });
    assert.equal(result.headers['Retry-After'], '30');
  });

  it('loads the cold pair once storage is back', async () => {
    resume();
    // The load that timed out went on; a new one after the interval if it failed
    await runtime.predictor.settled();
    clock.advance(world.config.serving.refresh_seconds * 1_000);

    const eth = await predictLoaded('ETH');

    assert.equal(eth.status, 200, JSON.stringify(eth.body));
  });
});
