import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { StorageUnavailableError, type ArtifactStore } from '../../adapters/storage/index.js';
import { b1Distribution } from '../../core/distribution/index.js';
import { extractFeatureSet, prepareWindow, sliceRows, warmupCandles } from '../../core/features/index.js';
import { HOUR_MS, type Candle } from '../../core/market/index.js';
import { CcxtCandleSource } from '../../adapters/market/index.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ArtifactStore as Store, ManifestError } from '../../adapters/storage/index.js';
import { newVersion } from '../../core/artifacts/index.js';
import {
  CandleCache,
  MarketDataUnavailableError,
  MarketStaleError,
  ModelOutputError,
  Predictor,
  StorageTimeoutError,
  UnknownPairError,
  type PredictorOptions,
  type PredictorStore,
} from '../../serving/index.js';
import { startFakeExchange } from '../../local/fake-exchange/index.js';
import { testSigningKey } from '../support/signing.js';
import {
  BUCKET,
  CANDLES,
  MemoryCandles,
  NOW,
  nanModel,
  publishSynthetic,
  startStore,
  type TestStore,
} from './support.js';

/** Three hourly schedule periods, the base configuration's limit. */
const STALE_AFTER_SECONDS = 3 * 3_600;

/** The store with its calls counted, and switchable to "unreachable". */
class CountingStore implements PredictorStore {
  public readonly calls = { readLatest: 0, readManifest: 0, readFile: 0, listLatest: 0, ping: 0 };
  public down = false;
  /** While set, every call waits for it to resolve, as on a store that accepts and never answers. */
  public hung: Promise<void> | null = null;

  public constructor(private readonly store: ArtifactStore) {}

  private async check(): Promise<void> {
    if (this.hung !== null) await this.hung;
    if (this.down) throw new StorageUnavailableError('storage unreachable (ECONNREFUSED)', 'GetObject');
  }

  /** Makes every call hang until the returned function is called. */
  public hang(): () => void {
    let release = (): void => {};
    this.hung = new Promise<void>((resolve) => {
      release = () => {
        this.hung = null;
        resolve();
      };
    });
    return release;
  }

  public readLatest: ArtifactStore['readLatest'] = async (pair) => {
    this.calls.readLatest += 1;
    await this.check();
    return this.store.readLatest(pair);
  };

  public readManifest: ArtifactStore['readManifest'] = async (pair, version) => {
    this.calls.readManifest += 1;
    await this.check();
    return this.store.readManifest(pair, version);
  };

  public readFile: ArtifactStore['readFile'] = async (manifest, name) => {
    this.calls.readFile += 1;
    await this.check();
    return this.store.readFile(manifest, name);
  };

  public readOptionalFile: ArtifactStore['readOptionalFile'] = async (manifest, name) => {
    await this.check();
    return this.store.readOptionalFile(manifest, name);
  };

  public listLatest: ArtifactStore['listLatest'] = async () => {
    this.calls.listLatest += 1;
    await this.check();
    return this.store.listLatest();
  };

  public ping: ArtifactStore['ping'] = async () => {
    this.calls.ping += 1;
    await this.check();
    return this.store.ping();
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
    // read from the last close (its scaled input is row 11's close, column 7), as training scores it
    const input = prepareWindow(window, published.scaler, 12);
    const anchor = { scaled: input[11 * 9 + 7] as number, raw: last.close };
    assert.equal(prediction.next.close, published.scaler.inverseFromAnchor(scaled, anchor));
    assert.ok(Math.abs(prediction.next.close - published.scaler.inverseColumn(scaled, 'close')) < 0.01);
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

  it("feeds a model trained on the extended set that set's columns, reading the candles its look-back needs", async () => {
    // Prepare: the predictor has no feature set of its own; the scaler says extended
    const published = await publishSynthetic(t.store, 'BTC/USDT', {
      sequenceLength: 12,
      featureSet: 'extended',
      seed: 3,
    });
    const p = predictor();

    // Act
    const prediction = await p.predict('BTC/USDT', { includeCandles: true });

    // Assess: the window grew by exactly the warm-up (23 candles) besides the fill margin (6)
    const warmup = warmupCandles('extended');
    assert.equal(warmup, 23);
    assert.equal(candles.lastCount, 12 + warmup + 6);
    // the model read the 14 columns of the last 12 candles, each row what training computes for it
    const input = prepareWindow(CANDLES.slice(-(12 + warmup)), published.scaler, 12);
    assert.equal(input.length, 12 * 14);
    const all = extractFeatureSet(CANDLES, 'extended');
    const trainingRows = published.scaler.transform(sliceRows(all, all.rows - 12, all.rows));
    assert.deepEqual(input, trainingRows);
    const session = await ort.InferenceSession.create(published.onnx);
    const output = await session.run({ sequence: new ort.Tensor('float32', input, [1, 12, 14]) });
    await session.release();
    const scaled = (output['output']?.data as Float32Array)[0] as number;
    assert.equal(prediction.scaledClose, scaled);
    const anchor = { scaled: input[11 * 14 + 7] as number, raw: prediction.last.close };
    assert.equal(prediction.next.close, published.scaler.inverseFromAnchor(scaled, anchor));
    // the answer is about the window itself, not its look-back
    assert.deepEqual(prediction.candles, CANDLES.slice(-12));
    assert.equal(prediction.last.openTime, Date.UTC(2026, 10, 26, 9));
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
    // the request that finds the interval passed answers with the loaded model and refreshes behind it
    assert.equal((await p.predict('BTC/USDT')).model.version, first.version);
    await p.settled();
    const after = await p.predict('BTC/USDT');
    assert.equal(after.model.version, second.version);
    assert.notEqual(after.next.close, before.next.close);
    assert.equal(store.calls.readLatest, 2);
    // the replaced session was released, not leaked for the life of the instance
    await assert.rejects(
      replaced.session.run([{ name: 'sequence', data: new Float32Array(12 * 9), dims: [1, 12, 9] }]),
    );
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
    await logged.settled();
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
    await logged.settled();
    assert.match(warnings[1] ?? '', /ModelShapeError/);
    // and the reload says so
    const [btc] = (await logged.reload()).filter((r) => r.pair === 'BTC/USDT');
    assert.equal(btc?.version, good.version);
    assert.equal(btc?.changed, false);
    assert.equal(btc?.error?.name, 'ModelShapeError');
  });

  it('refuses a version whose distribution.json serves the removed network scale head, and keeps the one before', async () => {
    // Prepare: a served version, then one as a build with the per-pair scale head published it
    const good = await publishSynthetic(t.store, 'BTC/USDT', { distribution: b1Distribution(12) });
    const warnings: { error_name: unknown; error: unknown }[] = [];
    const p = predictor({
      log: {
        info: () => {},
        warn: (_, f) => warnings.push({ error_name: f?.['error_name'], error: f?.['error'] }),
      },
    });
    await p.predict('BTC/USDT');
    const old = await publishSynthetic(t.store, 'BTC/USDT', {
      distribution: { ...b1Distribution(12), scale: { kind: 'network', output: 'log_scale', shrink: 0.4 } },
    });

    // Act
    clock.now += 60_000;
    const during = await p.predict('BTC/USDT');
    await p.settled();
    const after = await p.predict('BTC/USDT');

    // Assess: the old version's distribution.json named, with why, and the good version still served
    assert.equal(during.model.version, good.version);
    assert.equal(after.model.version, good.version);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.error_name, 'ModelLoadError');
    assert.match(
      String(warnings[0]?.error),
      new RegExp(
        `^Cannot load distribution.json of BTC/USDT version ${old.version}: scale.kind: 'network', ` +
          'the per-pair network scale head, is no longer served: it was removed \\(it measured below the ' +
          'linear correction\\); republish the pair',
      ),
    );
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
    // Prepare: a residual model trained at 06:00, read with a clock the test moves up to 09:00, the
    // open time of the last of the candles: every window is then the latest one by that clock. The
    // version is stamped when it was trained, under a prefix of its own (a version id in the future of
    // the clock is refused, and other tests' newer versions would keep the pointer).
    const trainedAt = '2026-11-26T06:00:00.000Z';
    const own = new Store({ client: t.store.client, bucket: BUCKET, prefix: 'age/', key: testSigningKey() });
    const published = await publishSynthetic(own, 'BTC/USDT', {
      metricsModel: { target_mode: 'residual' },
      trainedAt,
      version: newVersion(new Date(trainedAt)),
    });
    const p = predictor({ store: own, pairs: ['BTC/USDT'] });
    const trained = Date.parse(trainedAt);

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
    assert.equal(fresh.model.trainedAt, trainedAt);
    assert.equal(fresh.model.targetMode, 'residual');
    assert.equal(fresh.model.metrics?.skill, -0.205);
    assert.deepEqual(fresh.model.age, {
      ageSeconds: 3_600,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      stale: false,
      clockSkew: false,
    });
    assert.ok(atLimit?.ok);
    assert.deepEqual(atLimit.model.age, {
      ageSeconds: STALE_AFTER_SECONDS,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      stale: false,
      clockSkew: false,
    });
    assert.deepEqual(stale.model.age, {
      ageSeconds: STALE_AFTER_SECONDS + 1,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      stale: true,
      clockSkew: false,
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

  it('answers with the loaded model at once while the refresh hangs, refreshing once in the background', async () => {
    // Prepare
    const published = await publishSynthetic(t.store, 'BTC/USDT');
    const p = predictor();
    await p.predict('BTC/USDT');
    const release = store.hang();
    clock.now += 60_000;

    try {
      // Act: three requests past the interval, storage hanging
      const answers = await Promise.all([1, 2, 3].map(() => p.predict('BTC/USDT')));

      // Assess: served from memory, and one read of latest.json started, not one per request
      for (const answer of answers) assert.equal(answer.model.version, published.version);
      assert.equal(store.calls.readLatest, 2);
    } finally {
      release();
    }
    await p.settled();
    assert.equal(p.storage().ok, true);
  });

  it("fetches a cold pair's window while its model downloads, and predicts from that one fetch", async () => {
    // Prepare: storage hangs, so the model cannot have loaded before the window is asked for
    const published = await publishSynthetic(t.store, 'BTC/USDT', { sequenceLength: 12, seed: 3 });
    const cache = new CandleCache({ provider: candles, timeframeMs: HOUR_MS, now: () => clock.now });
    const p = predictor({ candles: cache, prefetchCandles: 12 });
    const release = store.hang();

    // Act
    const answer = p.predict('BTC/USDT');
    await new Promise((resolve) => setImmediate(resolve));
    const fetchedWhileLoading = candles.calls;
    release();
    const result = await answer;

    // Assess: the window (12 + the fill margin of 6) was on its way before the model arrived
    assert.equal(fetchedWhileLoading, 1);
    assert.equal(candles.lastCount, 18);
    assert.equal(result.model.version, published.version);
    assert.equal(candles.calls, 1, 'the prediction reads the prefetched window from the cache');
  });

  it('waits for the model before fetching candles when no prefetch is configured', async () => {
    // Prepare
    await publishSynthetic(t.store, 'BTC/USDT', { sequenceLength: 12, seed: 3 });
    const p = predictor();
    const release = store.hang();

    // Act
    const answer = p.predict('BTC/USDT');
    await new Promise((resolve) => setImmediate(resolve));
    const fetchedWhileLoading = candles.calls;
    release();
    await answer;

    // Assess
    assert.equal(fetchedWhileLoading, 0);
    assert.equal(candles.calls, 1);
  });

  it('gives up on a pair with nothing loaded after loadWaitMs, and says storage is failing', async () => {
    // Prepare
    await publishSynthetic(t.store, 'BTC/USDT');
    const p = predictor({ loadWaitMs: 200, probeWaitMs: 200 });
    const release = store.hang();

    try {
      // Act / Assess
      await assert.rejects(p.predict('BTC/USDT'), (error: unknown) => {
        assert.ok(error instanceof StorageTimeoutError);
        assert.equal(error.waitedMs, 200);
        return true;
      });
      const health = await p.checkStorage();
      assert.equal(health.ok, false);
      assert.equal(health.lastErrorAt, NOW);
      assert.ok(health.lastError instanceof StorageTimeoutError);
      await assert.rejects(p.status(), StorageTimeoutError);
    } finally {
      release();
    }
    // the load that timed out went on, and is served once storage answers
    await p.settled();
    assert.equal((await p.predict('BTC/USDT')).model.pair, 'BTC/USDT');
  });

  it('refuses a window whose newest candle is not the last closed one by the clock', async () => {
    // Prepare: the candles end with the one opened at 09:00; the clock reads 12:30
    await publishSynthetic(t.store, 'BTC/USDT');
    const p = predictor();
    clock.now = NOW + 2 * HOUR_MS;

    // Act / Assess
    await assert.rejects(p.predict('BTC/USDT'), (error: unknown) => {
      assert.ok(error instanceof MarketStaleError);
      assert.equal(error.newestOpenTime, Date.UTC(2026, 10, 26, 9));
      assert.equal(error.expectedOpenTime, Date.UTC(2026, 10, 26, 11));
      return true;
    });
    // a clock behind the exchange's is no reason to refuse
    clock.now = NOW - 2 * HOUR_MS;
    assert.equal((await p.predict('BTC/USDT')).last.openTime, Date.UTC(2026, 10, 26, 9));
  });

  it('answers ModelOutputError naming the version when the model gives NaN', async () => {
    const published = await publishSynthetic(t.store, 'BTC/USDT', { files: { 'model.onnx': nanModel() } });
    await assert.rejects(predictor().predict('BTC/USDT'), (error: unknown) => {
      assert.ok(error instanceof ModelOutputError);
      assert.equal(error.version, published.version);
      assert.equal(error.value, 'NaN');
      return true;
    });
  });

  it('refuses a training time beyond the clock skew tolerance, and serves one within it as neither skewed nor stale', async () => {
    // Prepare: trained two hours after the clock
    await publishSynthetic(t.store, 'BTC/USDT', { trainedAt: new Date(NOW + 2 * HOUR_MS).toISOString() });

    // Act, Assess: never served, naming the bound
    await assert.rejects(
      predictor({ pairs: ['BTC/USDT'] }).predict('BTC/USDT'),
      (error: Error) => error.name === 'ModelBoundsError' && /clock skew tolerance/.test(error.message),
    );

    // Prepare, Act: trained 30 seconds after the clock, within the tolerance
    await publishSynthetic(t.store, 'BTC/USDT', { trainedAt: new Date(NOW + 30_000).toISOString() });
    const slightly = await predictor({ pairs: ['BTC/USDT'] }).predict('BTC/USDT');

    // Assess
    assert.deepEqual(slightly.model.age, {
      ageSeconds: 0,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      stale: false,
      clockSkew: false,
    });
  });

  it('skips an unreadable latest.json in status(): a served pair says why, a stray folder is reported', async () => {
    // Prepare: a prefix of its own, so that other tests' pointers do not count
    const prefix = 'unreadable/';
    const own = new Store({ client: t.store.client, bucket: BUCKET, prefix, key: testSigningKey() });
    const btc = await publishSynthetic(own, 'BTC/USDT');
    const put = (key: string) =>
      t.store.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}models/${key}`, Body: 'not json' }),
      );
    await put('eth_usdt/latest.json');
    await put('stray/latest.json');
    const warnings: string[] = [];
    const p = predictor({
      store: own,
      pairs: ['BTC/USDT', 'ETH/USDT'],
      log: {
        info: () => {},
        warn: (message, fields) =>
          warnings.push(`${message} ${String(fields?.['folder'] ?? fields?.['pair'])}`),
      },
    });

    // Act
    const statuses = await p.status();

    // Assess
    assert.deepEqual(
      statuses.map((s) => (s.ok ? [s.pair, s.model.version] : [s.pair, s.error.name])),
      [
        ['BTC/USDT', btc.version],
        ['ETH/USDT', 'ManifestError'],
      ],
    );
    assert.ok(statuses[1] !== undefined && !statuses[1].ok && statuses[1].error instanceof ManifestError);
    assert.deepEqual(p.unreadableEntries(), ['stray']);
    assert.deepEqual(warnings, [
      'skipping an unreadable latest.json eth_usdt',
      'skipping an unreadable latest.json stray',
      // said once per read for a configured pair whose published version cannot be served
      'refusing the published version ETH/USDT',
    ]);
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
