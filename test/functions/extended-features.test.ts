/**
 * A model trained on the extended feature set, served through the real /predict handler by a server
 * whose own configuration says `seed`: the model's scaler decides the columns, not the server.
 */
import './quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../core/config/index.js';
import { EXTENDED_FEATURE_NAMES, scalerFromJsonText, windowCandles } from '../../core/features/index.js';
import { HOUR_MS, validateCandles, type Candle } from '../../core/market/index.js';
import { CcxtCandleSource } from '../../adapters/market/index.js';
import type { CandleProvider } from '../../serving/index.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { PredictResponseSchema } from '../../functions/schemas/predict.js';
import { fixture, manualClock, parse, runPublishedByHand, useServedApi } from './support.js';

/** The ccxt source, keeping what it last handed to the predictor. */
class RecordingCandles implements CandleProvider {
  public last: readonly Candle[] = [];
  public constructor(private readonly source: CandleProvider) {}
  public async fetchLast(pair: string, count: number): Promise<readonly Candle[]> {
    this.last = await this.source.fetchLast(pair, count);
    return this.last;
  }
}

describe('/predict with a model trained on the extended feature set', () => {
  let candles: RecordingCandles;
  let version: string;
  const served = useServedApi(
    ['BTC/USDT'],
    async (world) => {
      assert.equal(world.config.features.set, 'seed', 'the serving configuration stays seed');
      const trainConfig: Config = {
        ...world.config,
        features: { ...world.config.features, set: 'extended' },
      };
      const [{ trainPair }, { selectBackend }, { silentLog }] = await Promise.all([
        import('../../training-image/src/pipeline/train-pair.js'),
        import('../../training-image/src/tf/backend.js'),
        import('../../training-image/src/log.js'),
      ]);
      const backend = await selectBackend('auto');
      version = (
        await trainPair({
          config: trainConfig,
          pair: 'BTC/USDT',
          store: world.store,
          backend,
          log: silentLog,
        })
      ).version;
      candles = new RecordingCandles(
        new CcxtCandleSource(world.config.exchange, { timeframe: world.config.market.interval }),
      );
    },
    () => ({ clock: manualClock().now, candles }),
  );

  it('publishes the extended scaler, and the handler answers with what the model gives for those columns', async () => {
    // Prepare: what was published
    const { world } = served;
    const manifest = await world.store.readManifest('BTC/USDT', version);
    const scaler = scalerFromJsonText(
      new TextDecoder().decode(await world.store.readFile(manifest, 'scaler.json')),
    );
    assert.equal(scaler.featureSet, 'extended');
    assert.equal(manifest.model.feature_count, 14);
    assert.deepEqual(manifest.model.features, EXTENDED_FEATURE_NAMES);

    // Act
    const result = parse(
      await served.api.predict(fixture('predict-get-candles'), createLambdaContext('predict')),
    );

    // Assess: a valid answer from that version, about the window of sequence_length candles
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const body = PredictResponseSchema.parse(result.body);
    assert.equal(body.model.version, version);
    const length = world.config.features.sequence_length;
    assert.equal(body.candles?.length, length);
    // the predictor fetched the window, its 23 candles of look-back and the fill margin
    const { gap_policy: gapPolicy, max_fill_gap: maxFillGap } = world.config.market;
    assert.equal(
      candles.last.length,
      windowCandles('extended', length) + (gapPolicy === 'fill' ? maxFillGap : 0),
    );
    // the same close as the published ONNX model on the extended columns of those candles, by hand
    const context = validateCandles(candles.last, HOUR_MS, { gapPolicy, maxFillGap }).candles.slice(
      -windowCandles('extended', length),
    );
    assert.equal(Date.parse(body.last_candle.open_time), context[context.length - 1]!.openTime);
    const byHand = await runPublishedByHand(world.store, 'BTC/USDT', version, context, length);
    assert.deepEqual(byHand.inputShape, ['batch', length, 14]);
    assert.equal(body.prediction.close, byHand.close);
  });
});
