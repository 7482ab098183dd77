/**
 * npm run bench:train -- [--batches 6] [--warmup 1]
 * Training throughput of this pipeline's step on the seed's model size (sequence 120,
 * 9 features, 2 x 128 LSTM, batch 64) beside a PyTorch reference of the same model on
 * the same windows, on this machine. Prints one JSON line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareTrainingData } from '../core/features/index.js';
import { ForecastNetwork } from '../training-image/src/model/network.js';
import { SeededRandom } from '../training-image/src/model/random.js';
import { selectBackend } from '../training-image/src/tf/backend.js';
import { AdamW } from '../training-image/src/train/adamw.js';
import { parallelTrainStep, trainStep } from '../training-image/src/train/fit.js';
import { GradientWorkers } from '../training-image/src/train/parallel/pool.js';
import { benchCandles } from './data.js';
import { runTorchReference } from './python.js';

const MODEL = { sequenceLength: 120, featureCount: 9, hiddenSize: 128, layers: 2, dropoutRate: 0.2 } as const;
const BATCH = 64;

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '1' },
    workers: { type: 'string', default: String(availableParallelism()) },
  },
});
const workerCount = Number(values.workers);
const batches = Number(values.batches);
const warmup = Number(values.warmup);

const { candles, source } = await benchCandles();
const data = prepareTrainingData(candles, {
  sequenceLength: MODEL.sequenceLength,
  testSize: 0.1,
  valSize: 0.2,
});
const count = (batches + warmup) * BATCH;
if (data.train.count < count) throw new Error(`only ${data.train.count} training windows for ${count}`);
const windows = {
  ...data.train,
  count,
  x: data.train.x.subarray(0, count * MODEL.sequenceLength * MODEL.featureCount),
  y: data.train.y.subarray(0, count),
};

const backend = await selectBackend('auto');
const random = new SeededRandom(42);
const network = ForecastNetwork.initialize(MODEL, random);
const optimizer = new AdamW({ learningRate: 1e-4, weightDecay: 0.01 });
const batchIndices = (b: number): Uint32Array => Uint32Array.from({ length: BATCH }, (_, i) => b * BATCH + i);
const workers =
  workerCount > 0 && backend.name !== 'tensorflow'
    ? await GradientWorkers.start(workerCount, MODEL, backend.name === 'wasm' ? 'wasm' : 'cpu')
    : null;
const step = async (b: number): Promise<number> =>
  workers === null
    ? trainStep(network, optimizer, windows, batchIndices(b), random)
    : parallelTrainStep(network, optimizer, workers, windows, batchIndices(b), random);
for (let b = 0; b < warmup; b++) await step(b);
const started = performance.now();
for (let b = warmup; b < warmup + batches; b++) await step(b);
const seconds = (performance.now() - started) / 1000;
const tfjs = (batches * BATCH) / seconds;
const workerThreads = workers?.size ?? 0;
await workers?.close();
network.dispose();
optimizer.dispose();

const dir = await mkdtemp(join(tmpdir(), 'bench-train-'));
let torch;
try {
  await writeFile(join(dir, 'x.f32'), windows.x);
  await writeFile(join(dir, 'y.f32'), windows.y);
  torch = await runTorchReference([
    'train',
    ...['--data', join(dir, 'x.f32'), '--labels', join(dir, 'y.f32'), '--count', String(count)],
    ...['--seq', String(MODEL.sequenceLength), '--features', String(MODEL.featureCount)],
    ...['--hidden', String(MODEL.hiddenSize), '--layers', String(MODEL.layers)],
    ...['--batch', String(BATCH), '--warmup', String(warmup)],
  ]);
} finally {
  await rm(dir, { recursive: true, force: true });
}
const torchRate =
  torch.ok && typeof torch['sequences_per_second'] === 'number' ? torch['sequences_per_second'] : null;

console.log(
  JSON.stringify({
    bench: 'train',
    model: { ...MODEL, batch: BATCH },
    data: source,
    batches,
    cpus: cpus().length,
    tfjs: {
      backend: backend.name,
      provider: backend.provider,
      worker_threads: workerThreads,
      sequences_per_second: round(tfjs),
    },
    torch: torch.ok
      ? {
          version: torch['torch'],
          threads: torch['threads'],
          blas: torch['blas'],
          sequences_per_second: round(torchRate ?? Number.NaN),
        }
      : { skipped: torch.reason },
    ratio: torchRate === null ? null : round(tfjs / torchRate, 3),
  }),
);

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}
