/**
 * npm run bench:serve -- [--requests 1000] [--cold 5] [--cpu-prof DIR]
 * Serving latency on the production model size (sequence 120, 9 features, 2 x 128 LSTM), printed as one
 * JSON line:
 *
 * - warm: the predict handler called in-process, as a warm Lambda instance runs it, with the pair's
 *   candles in the candle cache (no exchange request while timed: checked), p50 and p99;
 * - onnx: the onnxruntime session alone on one window, the part comparable with PyTorch's forward;
 * - cold start: a new node process running the handler bundled as the CDK app bundles it (esbuild, ESM,
 *   onnxruntime-node external), from spawn to the first prediction: module load, configuration,
 *   latest.json, manifest and artifact download from the S3-compatible server on loopback, onnxruntime
 *   session, ccxt's first candle request to the fake exchange on loopback;
 * - torch: bench/torch_reference.py's forward of the same network on one window, single-threaded like
 *   the onnxruntime session (a Lambda function under 1,769 MB has one vCPU).
 *
 * The model has random weights (bench/serving-model.ts): latency depends on the graph, not on training.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as ort from 'onnxruntime-node';
import { ArtifactStore } from '../adapters/storage/index.js';
import type { Config, Pair } from '../core/config/index.js';
import { loadConfig } from '../adapters/config/yaml.js';
import { CcxtCandleSource } from '../adapters/market/index.js';
import { ONNX_IO } from '../adapters/inference/onnx-io.js';
import { DEFAULT_SESSION_OPTIONS } from '../adapters/inference/session.js';
import { buildProxyEvent } from '../local/dev-server/event.js';
import { startFakeExchange } from '../local/fake-exchange/index.js';
import { startS3Server } from '../local/s3-server.js';
import { bundlePredict, coldStartBreakdown, median, runColdStart, type ColdStartRun } from './cold-start.js';
import { runTorchReference } from './python.js';
import { ensureLocalKeyPair } from '../adapters/signing/local-keys.js';
import { publishServingModel, SERVING_MODEL, type BenchScale } from './serving-model.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PAIR: Pair = 'BTC/USDT';
const BUCKET = 'bench-models';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '50' },
    cold: { type: 'string', default: '5' },
    // b1: the version has no distribution.json (B1 served, as every figure before issue 20); network: it
    // serves the shared scale network, a second graph run per request.
    scale: { type: 'string', default: 'b1' },
    // A V8 CPU profile of each cold start, written to DIR (open in Chrome DevTools or speedscope).
    'cpu-prof': { type: 'string' },
  },
});
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const coldRuns = Number(values.cold);
if (values.scale !== 'b1' && values.scale !== 'network') {
  throw new Error(`--scale ${values.scale}: expected b1 or network`);
}
const scale: BenchScale = values.scale;
const coldNodeArgs =
  values['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']];

// The bench prints one JSON line: the handlers' request logs must stay out of stdout. Set before the
// first functions/ module is imported, since Powertools reads the level once.
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function summary(samples: number[]): { p50_ms: number; p99_ms: number; mean_ms: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    p50_ms: round(percentile(sorted, 0.5)),
    p99_ms: round(percentile(sorted, 0.99)),
    mean_ms: round(mean),
  };
}

function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

const dir = await mkdtemp(join(tmpdir(), 'bench-serve-'));
const exchange = await startFakeExchange({ seed: 42 });
const s3 = await startS3Server({ directory: join(dir, 's3'), buckets: [BUCKET] });
try {
  const base = loadConfig({ env: 'base', environment: {} }).config;
  const config: Config = {
    ...base,
    pairs: [PAIR],
    exchange: { ...base.exchange, url: exchange.url },
    // A key pair of the bench's own, as the local stack makes one: versions are signed, and verified
    // when loaded, warm and cold.
    storage: {
      ...base.storage,
      bucket: BUCKET,
      endpoint: s3.endpoint,
      signing_key: `file:${join(dir, 'keys')}`,
    },
  };
  ensureLocalKeyPair(join(dir, 'keys'));
  const store = ArtifactStore.fromConfig(config.storage, { keyUse: 'sign' });
  // The scaler is fitted on the candles the handler will read, as training would.
  const history = await new CcxtCandleSource(config.exchange, { timeframe: '1h' }).fetchLast(PAIR, 2_000);
  const { onnx } = await publishServingModel(store, PAIR, history, scale);

  const event = (): APIGatewayProxyEvent =>
    buildProxyEvent(
      {
        method: 'GET',
        url: '/predict?currency=BTC&compare=USDT',
        rawHeaders: ['Host', '127.0.0.1', 'User-Agent', 'bench', 'x-api-key', 'bench-key-0000'],
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
        httpVersion: '1.1',
        localPort: 3000,
      },
      { resource: '/predict', stage: 'bench', requestId: 'bench', apiKey: null },
    );

  // Warm: the real handler, the real runtime (ccxt source behind the candle cache, the S3 store).
  const { predictHandler } = await import('../functions/handlers/predict.js');
  const { createLambdaContext } = await import('../functions/lambda-context.js');
  const { createRuntime } = await import('../functions/runtime.js');
  const runtime = createRuntime(config);
  const handler = predictHandler(runtime);
  for (let i = 0; i < warmup; i++) {
    const result = await handler(event(), createLambdaContext('predict'));
    if (result.statusCode !== 200) throw new Error(`warm-up answered ${result.statusCode}: ${result.body}`);
  }
  const exchangeRequestsBefore = exchange.requests.length;
  const warm: number[] = [];
  for (let i = 0; i < requests; i++) {
    const input = event();
    const context = createLambdaContext('predict');
    const t0 = performance.now();
    const result = await handler(input, context);
    warm.push(performance.now() - t0);
    if (result.statusCode !== 200) throw new Error(`request ${i} answered ${result.statusCode}`);
  }
  const exchangeRequestsTimed = exchange.requests.length - exchangeRequestsBefore;
  await runtime.close();

  // The onnxruntime session alone, same options as the predictor's.
  const session = await ort.InferenceSession.create(onnx, DEFAULT_SESSION_OPTIONS);
  const { sequenceLength, featureCount } = SERVING_MODEL;
  const window = Float32Array.from({ length: sequenceLength * featureCount }, (_, i) => Math.sin(i) * 0.9);
  const feeds = { [ONNX_IO.input]: new ort.Tensor('float32', window, [1, sequenceLength, featureCount]) };
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const onnxRuns: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    onnxRuns.push(performance.now() - t0);
  }
  await session.release();

  // Cold start: the handler bundled as infra/lib/function-bundling.ts bundles it, in a new process.
  const bundle = await bundlePredict(ROOT, join(dir, 'bundle'));
  const cold: ColdStartRun[] = [];
  for (let run = 0; run < coldRuns; run++) {
    cold.push(
      await runColdStart(
        bundle,
        {
          MUR_ENV: 'base',
          MUR_CONF_DIR: bundle.confDir,
          PAIRS: PAIR,
          MODEL_BUCKET: BUCKET,
          MODEL_SIGNING_KEY: `file:${join(dir, 'keys')}`,
          S3_ENDPOINT: s3.endpoint,
          EXCHANGE_URL: exchange.url,
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
        event(),
        coldNodeArgs,
      ),
    );
  }

  const torch = await runTorchReference([
    'predict',
    ...['--seq', String(SERVING_MODEL.sequenceLength), '--features', String(SERVING_MODEL.featureCount)],
    ...['--hidden', String(SERVING_MODEL.hiddenSize), '--layers', String(SERVING_MODEL.layers)],
    ...['--repeats', String(requests), '--threads', '1'],
  ]);
  const torchP50 = torch.ok && typeof torch['p50_ms'] === 'number' ? torch['p50_ms'] : null;
  const torchP99 = torch.ok && typeof torch['p99_ms'] === 'number' ? torch['p99_ms'] : null;
  const warmSummary = summary(warm);
  const onnxSummary = summary(onnxRuns);

  console.log(
    JSON.stringify({
      bench: 'serve',
      model: {
        ...SERVING_MODEL,
        onnx_bytes: onnx.length,
        weights: 'random (latency does not depend on training)',
        scale: scale === 'network' ? 'shared scale network (scale.onnx, a second graph per request)' : 'b1',
      },
      cpus: cpus().length,
      node: process.version,
      warm_handler: {
        ...warmSummary,
        requests,
        exchange_requests_while_timed: exchangeRequestsTimed,
        includes: 'middy, zod, candle cache, features, scaling, onnxruntime, response schema; logs silenced',
      },
      onnx_session: { ...onnxSummary, threads: 1 },
      cold_start: {
        median_ms: round(median(cold.map((c) => c.wall_ms)), 1),
        median_breakdown_ms: coldStartBreakdown(cold),
        runs: cold,
        bundle_bytes: bundle.bytes,
        includes:
          'node start, esbuild ESM bundle load, configuration, S3 latest.json + manifest + artifacts (loopback), ' +
          'onnxruntime session, ccxt markets + candles from the fake exchange (loopback), first prediction',
      },
      torch: torch.ok
        ? {
            version: torch['torch'],
            threads: torch['threads'],
            blas: torch['blas'],
            p50_ms: torchP50 === null ? null : round(torchP50),
            p99_ms: torchP99 === null ? null : round(torchP99),
          }
        : { skipped: torch.reason },
      latency_ratio: {
        onnx_session_to_torch_p50: torchP50 === null ? null : round(onnxSummary.p50_ms / torchP50),
        warm_handler_to_torch_p50: torchP50 === null ? null : round(warmSummary.p50_ms / torchP50),
      },
    }),
  );
} finally {
  await s3.close();
  await exchange.close();
  await rm(dir, { recursive: true, force: true });
}
