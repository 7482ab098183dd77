/**
 * Published models for the predictor's unit tests, made in milliseconds: random LSTM weights exported
 * by the real ONNX exporter, a scaler fitted on generated candles, a metrics.json that passes its
 * schema. What training does is tested elsewhere; these tests are about loading and serving.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../adapters/storage/index.js';
import { newVersion, type ManifestModel } from '../../core/artifacts/index.js';
import type { Pair } from '../../core/config/index.js';
import {
  FEATURE_NAMES,
  extractFeatureSet,
  extractFeatures,
  fitMinMaxScaler,
  scalerToJson,
  type FeatureSet,
  type MinMaxScaler,
} from '../../core/features/index.js';
import { HOUR_MS, type Candle } from '../../core/market/index.js';
import { Predictor, type CandleProvider, type PredictorOptions } from '../../serving/index.js';
import { generateCandles } from '../../local/fake-exchange/index.js';
import { startS3Server, type S3Server } from '../../local/s3-server.js';
import { exportToOnnx } from '../../training-image/src/onnx/index.js';
import { randomWeights } from '../training-image/onnx/fixtures.js';
import { TEST_SIGNING_KEY } from '../support/signing.js';

export const BUCKET = 'predictor-models';

/** A fixed "now": 10:30 UTC, so the last closed candle opened at 09:00. */
export const NOW = Date.UTC(2026, 10, 26, 10, 30);

/** 500 hourly candles ending with the last one closed at NOW. */
export const CANDLES: readonly Candle[] = generateCandles({
  seed: 11,
  start: Date.UTC(2026, 10, 26, 10) - 500 * HOUR_MS,
  startPrice: 30_000,
  count: 500,
});

/** A provider over CANDLES that counts its calls and can be told to fail or hand back fewer. */
export class MemoryCandles implements CandleProvider {
  public calls = 0;
  public failure: Error | null = null;
  public drop = 0;
  /** The count of the last fetchLast call. */
  public lastCount = 0;

  public async fetchLast(_pair: string, count: number): Promise<Candle[]> {
    this.calls += 1;
    this.lastCount = count;
    if (this.failure !== null) throw this.failure;
    return CANDLES.slice(CANDLES.length - count + this.drop);
  }
}

export interface TestStore {
  readonly s3: S3Server;
  readonly store: ArtifactStore;
  close(): Promise<void>;
}

export async function startStore(): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), 'predictor-'));
  const s3 = await startS3Server({ directory: dir, buckets: [BUCKET] });
  const store = ArtifactStore.fromConfig(
    {
      bucket: BUCKET,
      prefix: '',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      keep_versions: 5,
      signing_key: TEST_SIGNING_KEY,
    },
    { keyUse: 'sign' },
  );
  return {
    s3,
    store,
    close: async () => {
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SyntheticOptions {
  readonly sequenceLength?: number;
  /** The scaler's feature set (default seed): SCALER, or EXTENDED_SCALER. */
  readonly featureSet?: FeatureSet;
  /** Features the ONNX graph takes; by default the scaler's column count. */
  readonly graphFeatures?: number;
  readonly seed?: number;
  /** Overrides of the manifest's model summary. */
  readonly manifest?: ManifestModel;
  /** Overrides of metrics.json's `model` block. */
  readonly metricsModel?: Record<string, unknown>;
  /** Candle width metrics.json says the model was trained on. */
  readonly interval?: string;
  /** metrics.json's trained_at; default TRAINED_AT. */
  readonly trainedAt?: string;
  /** The version id; by default one on 2026-11-26, a second after the previous call's. */
  readonly version?: string;
  /** Replaces a file's bytes before publishing (the manifest then records them, checksums match). */
  readonly files?: Partial<Record<'model.onnx' | 'scaler.json' | 'metrics.json', Uint8Array>>;
  /** distribution.json's contents, published as its optional file; by default none (served as B1). */
  readonly distribution?: unknown;
  /** scale.onnx, published as its optional file (a distribution that serves the shared network). */
  readonly scaleOnnx?: Uint8Array;
}

export interface Synthetic {
  readonly version: string;
  readonly scaler: MinMaxScaler;
  readonly onnx: Uint8Array;
}

/** When synthetic models say they were trained: 90 minutes before NOW. */
export const TRAINED_AT = '2026-11-26T09:00:00.000Z';

export const SCALER: MinMaxScaler = fitMinMaxScaler(extractFeatures(CANDLES.slice(0, 400)));

/** The extended set's scaler, fitted on the same candles. */
export const EXTENDED_SCALER: MinMaxScaler = fitMinMaxScaler(
  extractFeatureSet(CANDLES.slice(0, 400), 'extended'),
);

let clockTick = 0;

/**
 * model.onnx of a network whose output bias is NaN: it answers NaN whatever the window. The exporter
 * refuses non-finite weights, so the bias's four bytes are patched in the exported graph.
 */
export function nanModel(sequenceLength = 12): Uint8Array {
  const weights = randomWeights({ sequenceLength, featureCount: FEATURE_NAMES.length, hiddenSizes: [4] }, 1);
  const onnx = exportToOnnx(weights);
  const bias = new Uint8Array(weights.denseBias.buffer, weights.denseBias.byteOffset, 4);
  const at = Buffer.from(onnx).indexOf(Buffer.from(bias));
  if (at < 0 || Buffer.from(onnx).indexOf(Buffer.from(bias), at + 1) >= 0) {
    throw new Error('the output bias is not found once in the exported graph');
  }
  const patched = Uint8Array.from(onnx);
  patched.set(new Uint8Array(new Float32Array([Number.NaN]).buffer), at);
  return patched;
}

/** Publishes a model for `pair` with random weights; a new version each call. */
export async function publishSynthetic(
  store: ArtifactStore,
  pair: Pair,
  options: SyntheticOptions = {},
): Promise<Synthetic> {
  const sequenceLength = options.sequenceLength ?? 12;
  const scaler = options.featureSet === 'extended' ? EXTENDED_SCALER : SCALER;
  const onnx = exportToOnnx(
    randomWeights(
      { sequenceLength, featureCount: options.graphFeatures ?? scaler.features.length, hiddenSizes: [4] },
      options.seed ?? 1,
    ),
  );
  // Versions one second apart, so that they sort in publication order.
  clockTick += 1;
  const version = options.version ?? newVersion(new Date(Date.UTC(2026, 10, 26, 9) + clockTick * 1_000));
  const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
  const files = {
    'model.onnx': onnx,
    'scaler.json': encode(scalerToJson(scaler)),
    'metrics.json': encode(
      metricsJson(pair, version, sequenceLength, {
        ...options,
        metricsModel: { feature_count: scaler.features.length, ...options.metricsModel },
      }),
    ),
    ...options.files,
  };
  await store.publish({
    pair,
    version,
    files,
    optionalFiles: {
      ...(options.distribution === undefined ? {} : { 'distribution.json': encode(options.distribution) }),
      ...(options.scaleOnnx === undefined ? {} : { 'scale.onnx': options.scaleOnnx }),
    },
    model: {
      sequence_length: sequenceLength,
      feature_count: scaler.features.length,
      features: [...scaler.features],
      ...options.manifest,
    },
  });
  return { version, scaler, onnx };
}

export function metricsJson(
  pair: Pair,
  version: string,
  sequenceLength: number,
  options: SyntheticOptions,
): unknown {
  const time = TRAINED_AT;
  return {
    schema_version: 1,
    pair,
    version,
    trained_at: options.trainedAt ?? TRAINED_AT,
    backend: { name: 'cpu', provider: 'test' },
    model: {
      sequence_length: sequenceLength,
      feature_count: 9,
      hidden_size: 4,
      layers: 1,
      target: 'close',
      ...options.metricsModel,
    },
    parameters: { market: { interval: options.interval ?? '1h' } },
    data: {
      source: 'test',
      first_open_time: time,
      last_open_time: time,
      candles: 500,
      filled_candles: 0,
      train_rows: 450,
      test_rows: 50,
      train_windows: 300,
      val_windows: 80,
      test_windows: 38,
    },
    losses: { train: 0.01, val: 0.02, test: 0.03, mean_val_test: 0.025, max_mean_loss: 0.1 },
    test: {
      windows: 38,
      mae: 120.5,
      rmse: 150.25,
      mape: 0.4,
      naive_mae: 100,
      naive_rmse: 130,
      skill: -0.205,
      direction_accuracy: 0.5,
    },
    history: [{ epoch: 1, train_loss: 0.01, val_loss: 0.02, seconds: 1, sequences_per_second: 300 }],
    training: { epochs_run: 1, best_epoch: 1, stopped_early: false, sequences_per_second: 300 },
    parity: { windows: 54, max_abs_error: 1e-7, max_rel_error: 1e-6, atol: 1e-5, rtol: 1e-3 },
    durations_seconds: { total: 1 },
  };
}

/**
 * A Predictor over `store` and `candles` with the hourly settings every serving test uses (refresh 60 s,
 * stale after 3 h, gaps filled up to 6 candles); `overrides` replace any of them.
 */
export function hourlyPredictor(
  options: Pick<PredictorOptions, 'store' | 'candles' | 'pairs'> & Partial<PredictorOptions>,
): Predictor {
  return new Predictor({
    interval: '1h',
    timeframeMs: HOUR_MS,
    refreshSeconds: 60,
    staleAfterSeconds: 3 * 3_600,
    gapPolicy: 'fill',
    maxFillGap: 6,
    ...options,
  });
}
