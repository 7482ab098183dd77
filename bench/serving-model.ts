import { mulberry32 } from '../core/random/mulberry32.js';
/**
 * A production-size model (sequence 120, 9 features, 2 x 128 LSTM + Dense(1)) published without
 * training: serving latency depends on the graph's size, not on what its weights learnt, and training
 * this size on CPU takes minutes. Random weights go through the real ONNX exporter and artifact store.
 */
import { type ArtifactStore } from '../adapters/storage/index.js';
import { newVersion } from '../core/artifacts/index.js';
import type { Pair } from '../core/config/index.js';
import { FEATURE_NAMES, extractFeatures, fitMinMaxScaler, scalerToJson } from '../core/features/index.js';
import type { Candle } from '../core/market/index.js';
import type { ForecastNetworkWeights, LstmLayerWeights } from '../training-image/src/model/weights.js';
import { exportToOnnx } from '../training-image/src/onnx/index.js';
import { exportScaleNetworkToOnnx } from '../training-image/src/onnx/scale-export.js';
import type { ScaleMemberWeights } from '../training-image/src/scale/network.js';
import {
  DEFAULT_SCALE_INPUTS,
  GAUSSIAN,
  SCALE_NETWORK_FILE,
  SCALE_SEQUENCE_CHANNELS,
  b1Distribution,
  scaleInputNames,
  type ForecastDistribution,
} from '../core/distribution/index.js';
import { DEFAULT_SCALE_NETWORK_CONFIG } from '../core/config/scale-network.js';
import { createHash } from 'node:crypto';

export const SERVING_MODEL = { sequenceLength: 120, featureCount: 9, hiddenSize: 128, layers: 2 } as const;

/** Which scale the bench's version serves: B1 (no distribution.json) or the shared scale network. */
export type BenchScale = 'b1' | 'network';

function uniformFrom(seed: number): (length: number, limit: number) => Float32Array {
  const next = mulberry32(seed);
  return (length, limit) => Float32Array.from({ length }, () => (2 * next() - 1) * limit);
}

/** Glorot-uniform weights of the serving model's shape. */
export function randomWeights(seed = 42): ForecastNetworkWeights {
  const uniform = uniformFrom(seed);
  const { sequenceLength, featureCount, hiddenSize, layers } = SERVING_MODEL;
  const lstm: LstmLayerWeights[] = [];
  let inputSize: number = featureCount;
  for (let layer = 0; layer < layers; layer++) {
    lstm.push({
      inputSize,
      hiddenSize,
      kernel: uniform(inputSize * 4 * hiddenSize, Math.sqrt(6 / (inputSize + 4 * hiddenSize))),
      recurrentKernel: uniform(hiddenSize * 4 * hiddenSize, Math.sqrt(6 / (5 * hiddenSize))),
      bias: new Float32Array(4 * hiddenSize),
    });
    inputSize = hiddenSize;
  }
  return {
    sequenceLength,
    featureCount,
    lstm,
    denseKernel: uniform(hiddenSize, Math.sqrt(6 / (hiddenSize + 1))),
    denseBias: new Float32Array(1),
  };
}

/**
 * The shared scale network at its production size (distribution.network's defaults: members, units,
 * hours), random weights, and the distribution.json that serves it: a request then runs both graphs.
 */
function randomScaleNetwork(sequenceLength: number): { spec: ForecastDistribution; onnx: Uint8Array } {
  const { members, hidden_size: hidden, sequence_hours: hours } = DEFAULT_SCALE_NETWORK_CONFIG;
  const uniform = uniformFrom(7);
  const d = scaleInputNames(DEFAULT_SCALE_INPUTS).length;
  const channels = SCALE_SEQUENCE_CHANNELS.length;
  const bound = 1 / Math.sqrt(hidden);
  const weights: ScaleMemberWeights[] = Array.from({ length: members }, () => ({
    shape: { hours, channels, hiddenSize: hidden, linearInputs: d },
    lstm: {
      inputSize: channels,
      hiddenSize: hidden,
      kernel: uniform(channels * 4 * hidden, bound),
      recurrentKernel: uniform(hidden * 4 * hidden, bound),
      bias: uniform(4 * hidden, bound),
    },
    headKernel: uniform(hidden, 0.1),
    headBias: new Float32Array(1),
    linearKernel: uniform(d, 0.1),
    linearBias: new Float32Array(1),
  }));
  const onnx = exportScaleNetworkToOnnx(
    weights,
    { mean: new Array<number>(d).fill(0), sd: new Array<number>(d).fill(1) },
    { docString: 'crypto-forecast bench: random scale network' },
  );
  const calibration = {
    method: 'split_conformal' as const,
    family: GAUSSIAN,
    windows: 100,
    reference_level: 0.9,
    scale: 1,
    levels: [{ level: 0.9, multiplier: 1 }],
  };
  const spec: ForecastDistribution = {
    ...b1Distribution(sequenceLength),
    scale: {
      kind: 'shared_network',
      network: {
        file: SCALE_NETWORK_FILE,
        sha256: createHash('sha256').update(onnx).digest('hex'),
        run: 'bench',
        hours,
        channels: [...SCALE_SEQUENCE_CHANNELS],
        inputs: DEFAULT_SCALE_INPUTS,
        members,
        hidden_size: hidden,
        trained_on: ['BTC/USDT'],
        pooled_calibration: calibration,
      },
    },
    calibration,
  };
  return { spec, onnx };
}

/**
 * Publishes the random model for `pair` with a scaler fitted on `candles` and a metrics.json that says
 * plainly it was not trained. Returns the version and the ONNX bytes.
 */
export async function publishServingModel(
  store: ArtifactStore,
  pair: Pair,
  candles: readonly Candle[],
  scale: BenchScale = 'b1',
): Promise<{ version: string; onnx: Uint8Array }> {
  const onnx = exportToOnnx(randomWeights(), { docString: 'crypto-forecast bench: random weights' });
  const scaler = fitMinMaxScaler(extractFeatures(candles));
  const version = newVersion(new Date());
  const time = new Date().toISOString();
  const first = new Date(candles[0]?.openTime ?? 0).toISOString();
  const last = new Date(candles.at(-1)?.openTime ?? 0).toISOString();
  const { sequenceLength, featureCount, hiddenSize, layers } = SERVING_MODEL;
  const metrics = {
    schema_version: 1,
    pair,
    version,
    trained_at: time,
    backend: { name: 'none', provider: 'bench: random weights, not trained' },
    model: {
      sequence_length: sequenceLength,
      feature_count: featureCount,
      hidden_size: hiddenSize,
      layers,
      target: 'close',
    },
    parameters: { market: { interval: '1h' } },
    data: {
      source: 'bench (not trained)',
      first_open_time: first,
      last_open_time: last,
      candles: candles.length,
      filled_candles: 0,
      train_rows: candles.length,
      test_rows: 0,
      train_windows: 0,
      val_windows: 0,
      test_windows: 0,
    },
    losses: { train: 0, val: 0, test: 0, mean_val_test: 0, max_mean_loss: 0.1 },
    test: {
      windows: 0,
      mae: 0,
      rmse: 0,
      mape: 0,
      naive_mae: 0,
      naive_rmse: 0,
      skill: 0,
      direction_accuracy: 0,
    },
    history: [],
    training: { epochs_run: 0, best_epoch: 0, stopped_early: false, sequences_per_second: 0 },
    parity: { windows: 0, max_abs_error: 0, max_rel_error: 0, atol: 1e-5, rtol: 1e-3 },
    durations_seconds: {},
  };
  const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
  const network = scale === 'network' ? randomScaleNetwork(sequenceLength) : null;
  await store.publish({
    pair,
    version,
    files: {
      'model.onnx': onnx,
      'scaler.json': encode(scalerToJson(scaler)),
      'metrics.json': encode(metrics),
    },
    ...(network === null
      ? {}
      : { optionalFiles: { 'distribution.json': encode(network.spec), 'scale.onnx': network.onnx } }),
    model: { sequence_length: sequenceLength, feature_count: featureCount, features: [...FEATURE_NAMES] },
  });
  return { version, onnx };
}
