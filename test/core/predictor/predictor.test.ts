import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { StorageUnavailableError, type ArtifactStore } from '../../../core/artifacts/index.js';
import { prepareWindow } from '../../../core/features/index.js';
import { CcxtCandleSource, HOUR_MS, type Candle } from '../../../core/market/index.js';
import {
  MarketDataUnavailableError,
  Predictor,
  UnknownPairError,
  type PredictorOptions,
  type PredictorStore,
} from '../../../core/predictor/index.js';
import { startFakeExchange } from '../../../local/fake-exchange/index.js';
import {
  CANDLES,
  MemoryCandles,
  NOW,
  TRAINED_AT,
  publishSynthetic,
  startStore,
  type TestStore,
} from './support.js';

/** Three hourly schedule periods, the base configuration's limit. */
const STALE_AFTER_SECONDS = 3 * 3_600;

/** The store with its calls counted, and switchable to "unreachable". */
class CountingStore implements PredictorStore {
  public readonly calls = { readLatest: 0, readManifest: 0, readFile: 0, listPairs: 0 };
  public down = false;

  public constructor(private readonly store: ArtifactStore) {}

  private check(): void {
    if (this.down) throw new StorageUnavailableError('storage unreachable (ECONNREFUSED)', 'GetObject');
  }

  public readLatest: ArtifactStore['readLatest'] = async (pair) => {
    this.calls.readLatest += 1;
    this.check();
    return this.store.readLatest(pair);
  };

  public readManifest: ArtifactStore['readManifest'] = async (pair, version) => {
    this.calls.readManifest += 1;
    this.check();
    return this.store.readManifest(pair, version);
  };

  public readFile: ArtifactStore['readFile'] = async (manifest, name) => {
    this.calls.readFile += 1;
    this.check();
    return this.store.readFile(manifest, name);
  };

  public readOptionalFile: ArtifactStore['readOptionalFile'] = async (manifest, name) => {
    this.check();
    return this.store.readOptionalFile(manifest, name);
  };

  public listPairs: ArtifactStore['listPairs'] = async () => {
    this.calls.listPairs += 1;
    this.check();
    return this.store.listPairs();
  };
}

describe('Predictor', () => {
  let t: TestStore;
  let store: CountingStore;
  let candles: MemoryCandles;
  let clock: { now: number };
  const predictors: Predictor[] = [];

  const predictor = (overrides: Partial<PredictorOptions> = {}): Predictor => {
    const created = new Predictor({
      store,
      candles,
      pairs: ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT'],
      interval: '1h',
      timeframeMs: HOUR_MS,
      refreshSeconds: 60,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      gapPolicy: 'fill',
      maxFillGap: 6,
      now: () => clock.now,
      ...overrides,
    });
    predictors.push(created);
    return created;
  };

  before(async () => {
    t = await startStore();
  });

  beforeEach(() => {
    store = new CountingStore(t.store);
    candles = new MemoryCandles();
    clock = { now: NOW };
  });

  after(async () => {
    for (const p of predictors) await p.close();
    await t.close();
  });

  it('predicts what the model gives for the last closed candles, mapped back through the scaler', async () => {
    // Prepare
    const published = await publishSynthetic(t.store, 'BTC/USDT', { sequenceLength: 12, seed: 3 });
    const p = predictor();

    // Act
    const prediction = await p.predict('BTC/USDT', { includeCandles: true });

    // Assess: the same as running the published model by hand on the last 12 candles
    const window = CANDLES.slice(-12);
    const session = await ort.InferenceSession.create(published.onnx);
    const output = await session.run({
      sequence: new ort.Tensor('float32', prepareWindow(window, published.scaler, 12), [1, 12, 9]),
    });
    await session.release();
    const scaled = (output['output']?.data as Float32Array)[0] as number;
    const last = window[11] as Candle;
    assert.equal(prediction.scaledClose, scaled);
    assert.equal(prediction.next.close, published.scaler.inverseColumn(scaled, 'close'));
    assert.deepEqual(prediction.last, {
      openTime: last.openTime,
      closeTime: last.openTime + HOUR_MS,
      close: last.close,
    });
    assert.equal(last.openTime, Date.UTC(2026, 10, 26, 9), 'the last closed candle at 10:30');
    assert.equal(prediction.next.openTime, Date.UTC(2026, 10, 26, 10));
    assert.deepEqual(prediction.candles, window);
    assert.equal(prediction.model.version, published.version);
    assert.equal(prediction.change.absolute, prediction.next.close - last.close);
  });

  it('loads a model once for concurrent requests', async () => {
    await publishSynthetic(t.store, 'BTC/USDT');
    const p = predictor();
    const answers = await Promise.all(Array.from({ length: 8 }, () => p.predict('BTC/USDT')));
    assert.equal(store.calls.readLatest, 1);
    assert.equal(store.calls.readManifest, 1);
    assert.equal(store.calls.readFile, 3);
    for (const answer of answers) assert.equal(answer.next.close, answers[0]?.next.close);
  });

  it('reads latest.json again only after the refresh interval, and swaps to a new version', async () => {
    // Prepare
    const first = await publishSynthetic(t.store, 'BTC/USDT', { seed: 4 });
    const p = predictor();
    const before = await p.predict('BTC/USDT');
    const replaced = await p.model('BTC/USDT');
    const second = await publishSynthetic(t.store, 'BTC/USDT', { seed: 5 });

    // Act / Assess
    clock.now += 59_999;
    assert.equal((await p.predict('BTC/USDT')).model.version, first.version);
    assert.equal(store.calls.readLatest, 1);
    clock.now += 1;
    const after = await p.predict('BTC/USDT');
    assert.equal(after.model.version, second.version);
    assert.notEqual(after.next.close, before.next.close);
    assert.equal(store.calls.readLatest, 2);
    // the replaced session was released, not leaked for the life of the instance
    const feeds = { sequence: new ort.Tensor('float32', new Float32Array(12 * 9), [1, 12, 9]) };
    await assert.rejects(replaced.session.run(feeds));
  });

  it('keeps the loaded model while storage is down or the new version is refused, and tries again later', async () => {
    // Prepare
    const good = await publishSynthetic(t.store, 'BTC/USDT');
    const p = predictor();
    await p.predict('BTC/USDT');
    const warnings: string[] = [];
    const logged = predictor({
      log: { info: () => {}, warn: (m, f) => warnings.push(`${m} ${String(f?.['error_name'])}`) },
    });
    await logged.predict('BTC/USDT');

    // Act: storage down at the next refresh
    store.down = true;
    clock.now += 60_000;
    const whileDown = await logged.predict('BTC/USDT');
    const callsWhileDown = store.calls.readLatest;
    await logged.predict('BTC/USDT');

    // Assess: the old model answered, and storage was not asked again within the interval
    assert.equal(whileDown.model.version, good.version);
    assert.equal(store.calls.readLatest, callsWhileDown);
    assert.deepEqual(warnings, [
      'keeping the loaded model: the latest one could not be loaded StorageUnavailableError',
    ]);

    // Act: storage back, but the new version is one the server refuses
    store.down = false;
    await publishSynthetic(t.store, 'BTC/USDT', { graphFeatures: 5 });
    clock.now += 60_000;
    assert.equal((await logged.predict('BTC/USDT')).model.version, good.version);
    assert.match(warnings[1] ?? '', /ModelShapeError/);
    // and the reload says so
    const [btc] = (await logged.reload()).filter((r) => r.pair === 'BTC/USDT');
    assert.equal(btc?.version, good.version);
    assert.equal(btc?.changed, false);
    assert.equal(btc?.error?.name, 'ModelShapeError');
  });

  it('answers UnknownPairError naming the pairs with a model, for a pair not served or not published', async () => {
    await publishSynthetic(t.store, 'BTC/USDT');
    const p = predictor({ pairs: ['BTC/USDT', 'CHZ/USDT'] });
    await assert.rejects(p.predict('DOGE/USDT'), (error: unknown) => {
      assert.ok(error instanceof UnknownPairError);
      assert.equal(error.reason, 'not_served');
      assert.deepEqual(error.available, ['BTC/USDT']);
      return true;
    });
    await assert.rejects(p.predict('CHZ/USDT'), (error: unknown) => {
      assert.ok(error instanceof UnknownPairError);
      assert.equal(
        error.message,
        'no model has been published for CHZ/USDT yet; pairs with a model: BTC/USDT',
      );
      return true;
    });
  });

  it('remembers a failure without a loaded model for the interval instead of retrying every request', async () => {
    const p = predictor({ pairs: ['CHZ/USDT'] });
    await assert.rejects(p.predict('CHZ/USDT'), UnknownPairError);
    await assert.rejects(p.predict('CHZ/USDT'), UnknownPairError);
    assert.equal(store.calls.readLatest, 1);
    const chz = await publishSynthetic(t.store, 'CHZ/USDT');
    clock.now += 60_000;
    assert.equal((await p.predict('CHZ/USDT')).model.version, chz.version);
  });

  it('refuses to predict from too few candles, naming how many it needed', async () => {
    await publishSynthetic(t.store, 'BTC/USDT', { sequenceLength: 12 });
    candles.drop = 12; // the exchange hands back only the 6 candles of the margin
    await assert.rejects(predictor().predict('BTC/USDT'), (error: unknown) => {
      assert.ok(error instanceof MarketDataUnavailableError);
      assert.match(error.message, /needs the last 12 closed candles, the exchange gave 6 usable/);
      return true;
    });
  });

  it("gives every answer the model's training time, target mode and age in whole seconds, stale past the limit", async () => {
    // Prepare: a residual model trained at TRAINED_AT, read with a clock the test moves
    const published = await publishSynthetic(t.store, 'BTC/USDT', {
      metricsModel: { target_mode: 'residual' },
    });
    const p = predictor({ pairs: ['BTC/USDT'] });
    const trained = Date.parse(TRAINED_AT);

    // Act
    clock.now = trained + 3_600_000;
    const fresh = await p.predict('BTC/USDT');
    // the last millisecond of the limit's second: 10,800 whole seconds, the limit itself
    clock.now = trained + STALE_AFTER_SECONDS * 1_000 + 999;
    const atLimit = (await p.status())[0];
    clock.now += 1;
    const stale = await p.predict('BTC/USDT');

    // Assess
    assert.equal(fresh.model.version, published.version);
    assert.equal(fresh.model.trainedAt, TRAINED_AT);
    assert.equal(fresh.model.targetMode, 'residual');
    assert.equal(fresh.model.metrics.skill, -0.205);
    assert.deepEqual(fresh.model.age, {
      ageSeconds: 3_600,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      stale: false,
    });
    assert.ok(atLimit?.ok);
    assert.deepEqual(atLimit.model.age, {
      ageSeconds: STALE_AFTER_SECONDS,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      stale: false,
    });
    assert.deepEqual(stale.model.age, {
      ageSeconds: STALE_AFTER_SECONDS + 1,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      stale: true,
    });
    assert.equal(stale.model.version, published.version, 'a stale model still answers');
  });

  it('refuses a staleness limit that is not a positive number of seconds', () => {
    assert.throws(() => predictor({ staleAfterSeconds: 0 }), /staleAfterSeconds must be more than 0, got 0/);
    assert.throws(() => predictor({ staleAfterSeconds: Number.NaN }), RangeError);
  });

  it('lists the served pairs with a model in status()', async () => {
    const btc = await publishSynthetic(t.store, 'BTC/USDT');
    await publishSynthetic(t.store, 'ETH/USDT', { graphFeatures: 5 });
    const statuses = await predictor({ pairs: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] }).status();
    assert.deepEqual(
      statuses.map((s) => (s.ok ? [s.pair, s.model.version] : [s.pair, s.error.name])),
      [
        ['BTC/USDT', btc.version],
        ['ETH/USDT', 'ModelShapeError'],
      ],
    );
  });

  it('predicts from real ccxt candles served by the fake exchange', async () => {
    // Prepare
    await publishSynthetic(t.store, 'BTC/USDT', { sequenceLength: 12 });
    const exchange = await startFakeExchange({ seed: 5 });
    try {
      const source = new CcxtCandleSource(
        { id: 'binance', url: exchange.url, timeout_ms: 2_000, max_retries: 0, retry_base_ms: 0 },
        { timeframe: '1h' },
      );
      const p = predictor({ candles: source, now: Date.now });

      // Act
      const prediction = await p.predict('BTC/USDT', { includeCandles: true });

      // Assess
      assert.equal(prediction.candles?.length, 12);
      assert.equal(prediction.last.openTime, Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS);
      assert.ok(Number.isFinite(prediction.next.close) && prediction.next.close > 0);
    } finally {
      await exchange.close();
    }
  });
});
