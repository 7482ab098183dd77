/**
 * The serving tests' world: the fake exchange and the S3-compatible server on loopback, tiny models
 * trained for real with trainPair and published to the server, and API Gateway fixtures to call the
 * handlers with.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as ort from 'onnxruntime-node';
import { createS3Client } from '../../adapters/storage/client.js';
import { ArtifactStore } from '../../adapters/storage/index.js';
import { RunRecords } from '../../adapters/storage/run-records.js';
import {
  artifactKey,
  newVersion,
  type ArtifactName,
  type Manifest,
  type ManifestModel,
} from '../../core/artifacts/index.js';
import type { Config, Pair } from '../../core/config/index.js';
import { prepareWindow, scalerFromJsonText, type MinMaxScaler } from '../../core/features/index.js';
import type { Candle } from '../../core/market/index.js';
import type { RunObjectName } from '../../core/artifacts/bounds.js';
import { runObjectKey } from '../../core/runs/layout.js';
import type { RunSubject } from '../../core/runs/run-record.js';
import { ONNX_IO } from '../../serving/index.js';
import { createHandlers, type HandlerTable } from '../../functions/handlers/index.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../functions/runtime.js';
import type { PredictResponse } from '../../functions/schemas/predict.js';
import { startFakeExchange, type FakeExchange } from '../../local/fake-exchange/index.js';
import { startS3Server, type S3Server } from '../../local/s3-server.js';
import type { TrainPairResult } from '../../training-image/src/pipeline/train-pair.js';
import type { BackendInfo } from '../../training-image/src/tf/backend.js';
import { smallConfig } from '../support/small-config.js';

export { fixture, parse, withQuery, type JsonResult } from './events.js';

export const BUCKET = 'serving-models';

/**
 * The real handlers on `runtime`, with /readyz answering from a fresh evaluation every time: these tests
 * change what is published between two calls. The readiness cache has its own test.
 */
export function handlersOf(runtime: Runtime): HandlerTable {
  return createHandlers(runtime, { readyz: { cacheMs: 0 } });
}

export interface ServingWorld {
  readonly exchange: FakeExchange;
  readonly s3: S3Server;
  /** conf/local made tiny, pointing at the two servers; serving.refresh_seconds 60. */
  readonly config: Config;
  readonly store: ArtifactStore;
  /** The run records beside the models, where publish() records each run. */
  readonly records: RunRecords;
  /**
   * Trains `pair` for real (about a second) and publishes it, recording the run and its held-out hours as
   * the training job does; `seed` changes the weights.
   */
  publish(pair: Pair, seed?: number): Promise<TrainPairResult>;
  /**
   * Publishes the files of an already published version again, as a new version of `as` (metrics.json
   * rewritten to name it), without training: a second version in milliseconds. `model` overrides
   * fields of the manifest's model summary, `metrics` fields of metrics.json (an old trained_at, say).
   */
  republish(
    from: { pair: Pair; version: string },
    as: Pair,
    model?: ManifestModel,
    metrics?: Readonly<Record<string, unknown>>,
  ): Promise<string>;
  /** Replaces one published file's bytes behind the manifest's back. */
  corrupt(pair: Pair, version: string, file: ArtifactName): Promise<void>;
  close(): Promise<void>;
}

export async function startServingWorld(
  pairs: readonly Pair[] = ['BTC/USDT', 'ETH/USDT'],
): Promise<ServingWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'serving-'));
  const exchange = await startFakeExchange({ seed: 7 });
  const s3 = await startS3Server({ directory: dir, buckets: [BUCKET] });
  const config = smallConfig({
    pairs: [...pairs],
    // No retries: an exchange failure answers at once instead of after backoff.
    // A generous timeout: the machine running the tests may be loaded, and a dead endpoint fails at once anyway.
    exchange: { url: exchange.url, max_retries: 0, retry_base_ms: 0, timeout_ms: 10_000 },
    storage: { bucket: BUCKET, endpoint: s3.endpoint },
    serving: { refresh_seconds: 60, candle_cache: true },
    // Serving tests tell versions apart by their predictions: a model shrunk all the way to the naive
    // forecast answers the same whatever its weights.
    training: { shrink_toward_naive: false },
  });
  // Signs what the tests publish by hand; the runtime under test makes its own, verifying, store.
  const store = ArtifactStore.fromConfig(config.storage, { keyUse: 'sign' });
  const records = RunRecords.beside(store);
  let backend: BackendInfo | undefined;
  return {
    exchange,
    s3,
    config,
    store,
    records,
    publish: async (pair, seed = config.training.seed) => {
      // Imported on first use: TensorFlow.js takes a second or two to load, and not every test trains.
      const [{ trainPair }, { selectBackend }, { silentLog }, { RunRecorder }, { thisMachine }] =
        await Promise.all([
          import('../../training-image/src/pipeline/train-pair.js'),
          import('../../training-image/src/tf/backend.js'),
          import('../../training-image/src/log.js'),
          import('../../training-image/src/runs/recorder.js'),
          import('../../training-image/src/runs/machine.js'),
        ]);
      const chosen = (backend ??= await selectBackend('auto'));
      const trainConfig = { ...config, training: { ...config.training, seed } };
      const recorder = new RunRecorder({
        records,
        config: trainConfig,
        machine: thisMachine(chosen),
        log: silentLog,
      });
      return recorder.run(pair, (observer) =>
        trainPair({ config: trainConfig, pair, store, backend: chosen, log: silentLog, observer }),
      );
    },
    republish: async (from, as, model = {}, overrides = {}) => {
      const manifest = await store.readManifest(from.pair, from.version);
      const version = newVersion(new Date());
      const metrics = JSON.parse(new TextDecoder().decode(await store.readFile(manifest, 'metrics.json')));
      Object.assign(metrics, overrides, { pair: as, version });
      await store.publish({
        pair: as,
        version,
        files: {
          'model.onnx': await store.readFile(manifest, 'model.onnx'),
          'scaler.json': await store.readFile(manifest, 'scaler.json'),
          'metrics.json': new TextEncoder().encode(JSON.stringify(metrics)),
        },
        model: { ...manifest.model, ...model },
      });
      return version;
    },
    corrupt: async (pair, version, file) => {
      await store.client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: artifactKey('', pair, version, file),
          Body: new TextEncoder().encode('not what was published'),
        }),
      );
    },
    close: async () => {
      await s3.close();
      await exchange.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A serving world and one runtime over it with its handlers, as useServedApi's before hook leaves them. */
export interface ServedApi {
  readonly world: ServingWorld;
  readonly runtime: Runtime;
  readonly api: HandlerTable;
}

/**
 * For the describe block that calls it: a before hook that starts the serving world for `pairs`, lets
 * `prepare` publish what the tests serve, then starts one runtime over it (with the options
 * `runtimeOptions` makes once `prepare` is done); and an after hook that closes both. The fields are
 * there once the before hook has run.
 */
export function useServedApi(
  pairs: readonly Pair[],
  prepare: (world: ServingWorld) => Promise<void> = async () => {},
  runtimeOptions: () => RuntimeOptions = () => ({}),
): ServedApi {
  const served: { world?: ServingWorld; runtime?: Runtime; api?: HandlerTable } = {};
  before(async () => {
    served.world = await startServingWorld(pairs);
    await prepare(served.world);
    served.runtime = createRuntime(served.world.config, runtimeOptions());
    served.api = handlersOf(served.runtime);
  });
  after(async () => {
    await served.runtime?.close();
    await served.world?.close();
  });
  return served as ServedApi;
}

/** The run records of `world`'s bucket, reached through an endpoint where nothing listens. */
export async function recordsOnDeadStore(world: ServingWorld): Promise<RunRecords> {
  return new RunRecords({
    client: createS3Client(
      { endpoint: await deadEndpoint(), region: 'us-east-1' },
      { maxAttempts: 1, connectionTimeoutMs: 500, requestTimeoutMs: 1_000 },
    ),
    bucket: world.store.bucket,
    prefix: world.store.prefix,
  });
}

/** Writes `body` as the file `file` of run `runId` of `subject` in `world`'s bucket, behind the records' back. */
export async function putRunFile(
  world: ServingWorld,
  subject: RunSubject,
  runId: string,
  file: RunObjectName,
  body: string,
): Promise<void> {
  await world.store.client.send(
    new PutObjectCommand({
      Bucket: world.store.bucket,
      Key: runObjectKey(world.store.prefix, subject, runId, file),
      Body: body,
    }),
  );
}

/** A clock the test moves by hand; starts at the real time so that candles are real closed ones. */
export function manualClock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

/** An address where nothing listens: a port that was free a moment ago. */
export async function deadEndpoint(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The window a /predict answer reports (`candles=true`), as candles. */
export function responseCandles(body: PredictResponse): Candle[] {
  return (body.candles ?? []).map((c) => ({
    openTime: Date.parse(c.open_time),
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
  }));
}

/** A published version run by hand, outside the predictor (see runPublishedByHand). */
export interface ByHand {
  readonly manifest: Manifest;
  readonly scaler: MinMaxScaler;
  /** The graph's input shape as the ONNX model declares it. */
  readonly inputShape: readonly (number | string)[];
  /** The close /predict should serve. */
  readonly close: number;
}

/**
 * Version `version` of `pair` as the store holds it, run by hand: its scaler.json scales `candles` (the
 * window, after any look-back its feature set needs), its model.onnx runs on them in onnxruntime, and
 * its output comes back as the close /predict should serve for them.
 */
export async function runPublishedByHand(
  store: ArtifactStore,
  pair: Pair,
  version: string,
  candles: readonly Candle[],
  length: number,
): Promise<ByHand> {
  const manifest = await store.readManifest(pair, version);
  const scaler = scalerFromJsonText(new TextDecoder().decode(await store.readFile(manifest, 'scaler.json')));
  const session = await ort.InferenceSession.create(await store.readFile(manifest, 'model.onnx'));
  try {
    const meta = session.inputMetadata[0];
    const input = prepareWindow(candles, scaler, length);
    const run = await session.run({
      [ONNX_IO.input]: new ort.Tensor('float32', input, [1, length, scaler.features.length]),
    });
    const output = (run[ONNX_IO.output]!.data as Float32Array)[0]!;
    return {
      manifest,
      scaler,
      inputShape: meta?.isTensor === true ? meta.shape : [],
      close: servedClose(scaler, input, length, output, candles.at(-1)!.close),
    };
  } finally {
    await session.release();
  }
}

/**
 * The close /predict serves for the graph's scaled `output` on `input` (a window of `length` rows): read
 * from the window's last close, whose scaled value is the input's last row's close column.
 */
export function servedClose(
  scaler: MinMaxScaler,
  input: Float32Array,
  length: number,
  output: number,
  lastClose: number,
): number {
  const lastScaled = input[(length - 1) * scaler.features.length + scaler.columnIndex('close')]!;
  return scaler.inverseFromAnchor(output, { scaled: lastScaled, raw: lastClose });
}
