/**
 * npx tsx bench/train.ts [--runs 3] [--batches 6] [--warmup 1] [--workers N] [--torch-threads 1]
 * (`npm run bench:train` runs it with its defaults, then bench/train-scale.ts.)
 * Training throughput of this pipeline's step on the seed's model size (sequence 120,
 * 9 features, 2 x 128 LSTM, batch 64) beside a PyTorch reference of the same model on
 * the same windows, on this machine. Each run measures both, one after the other, so a
 * busy machine slows both alike; the ratio reported is the median of the runs' ratios.
 * PyTorch runs on 1 intra-op thread by default: its fastest setting on the 2-core machine
 * (with 2 threads its two OpenBLAS threads share the cores with each other and it drops to
 * 67-106 sequences/s). Prints one JSON line, with the GEMM kernel TF.js ran on and the load
 * average (the machine is shared).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareTrainingData } from '../core/features/index.js';
import { ForecastNetwork } from '../training-image/src/model/network.js';
import { SeededRandom } from '../training-image/src/model/random.js';
import { AdamW } from '../training-image/src/train/adamw.js';
import { parallelTrainStep, trainStep } from '../training-image/src/train/fit.js';
import { GradientWorkers } from '../training-image/src/train/parallel/pool.js';
import { benchCandles } from './data.js';
import { loadAverage, machineLoad, median, round, tfjsKernels } from './report.js';
import { runTorchReference, torchBuild } from './python.js';

const MODEL = { sequenceLength: 120, featureCount: 9, hiddenSize: 128, layers: 2, dropoutRate: 0.2 } as const;
const BATCH = 64;

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '1' },
    workers: { type: 'string', default: String(availableParallelism()) },
    runs: { type: 'string', default: '3' },
    'torch-threads': { type: 'string', default: '1' },
  },
});
const torchThreads = Number(values['torch-threads']);
// torch.set_num_threads does not reach Debian's OpenBLAS, which starts a thread per core of its own:
// the reference's child process gets the same count (it inherits this environment).
process.env['OPENBLAS_NUM_THREADS'] ??= String(torchThreads);
const runs = Number(values.runs);
const workerCount = Number(values.workers);
const batches = Number(values.batches);
const warmup = Number(values.warmup);

const { candles, source } = await benchCandles();
const data = prepareTrainingData(candles, {
  featureSet: 'seed',
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

const kernels = await tfjsKernels('auto');
// The workers choose their kernel as this thread did (same runtime, same check).
const batchIndices = (b: number): Uint32Array => Uint32Array.from({ length: BATCH }, (_, i) => b * BATCH + i);
const workers =
  workerCount > 0 && kernels.backend !== 'tensorflow'
    ? await GradientWorkers.start(workerCount, MODEL, kernels.backend === 'wasm' ? 'wasm' : 'cpu')
    : null;

/** Sequences per second of TF.js training steps, from the same initial weights each run. */
async function measureTfjs(): Promise<number> {
  const random = new SeededRandom(42);
  const network = ForecastNetwork.initialize(MODEL, random);
  const optimizer = new AdamW({ learningRate: 1e-4, weightDecay: 0.01 });
  const step = async (b: number): Promise<number> =>
    workers === null
      ? trainStep(network, optimizer, windows, batchIndices(b), random)
      : parallelTrainStep(network, optimizer, workers, windows, batchIndices(b), random);
  try {
    for (let b = 0; b < warmup; b++) await step(b);
    const started = performance.now();
    for (let b = warmup; b < warmup + batches; b++) await step(b);
    return (batches * BATCH) / ((performance.now() - started) / 1000);
  } finally {
    network.dispose();
    optimizer.dispose();
  }
}

const loadBefore = loadAverage();
const dir = await mkdtemp(join(tmpdir(), 'bench-train-'));
const results: { tfjs: number; torch: number | null }[] = [];
let torchInfo: Record<string, unknown> = {};
let torchSkipped: string | null = null;
try {
  await writeFile(join(dir, 'x.f32'), windows.x);
  await writeFile(join(dir, 'y.f32'), windows.y);
  for (let run = 0; run < runs; run++) {
    const tfjs = await measureTfjs();
    const torch = await runTorchReference([
      'train',
      ...['--data', join(dir, 'x.f32'), '--labels', join(dir, 'y.f32'), '--count', String(count)],
      ...['--seq', String(MODEL.sequenceLength), '--features', String(MODEL.featureCount)],
      ...['--hidden', String(MODEL.hiddenSize), '--layers', String(MODEL.layers)],
      ...['--batch', String(BATCH), '--warmup', String(warmup), '--threads', String(torchThreads)],
    ]);
    const rate =
      torch.ok && typeof torch['sequences_per_second'] === 'number' ? torch['sequences_per_second'] : null;
    if (torch.ok) torchInfo = torchBuild(torch, values['torch-threads']);
    else torchSkipped = torch.reason;
    results.push({ tfjs, torch: rate });
    process.stderr.write(
      `run ${run + 1}/${runs}: TF.js ${tfjs.toFixed(1)} seq/s, PyTorch ${rate === null ? 'skipped' : rate.toFixed(1)} seq/s\n`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  await workers?.close();
}
const ratios = results.flatMap((r) => (r.torch === null ? [] : [r.tfjs / r.torch]));

console.log(
  JSON.stringify({
    bench: 'train',
    model: { ...MODEL, batch: BATCH },
    data: source,
    batches,
    runs,
    ...machineLoad(loadBefore),
    tfjs: {
      ...kernels,
      worker_threads: workers?.size ?? 0,
      sequences_per_second: round(median(results.map((r) => r.tfjs))),
      runs: results.map((r) => round(r.tfjs)),
    },
    torch:
      torchSkipped === null
        ? {
            ...torchInfo,
            sequences_per_second: round(median(results.map((r) => r.torch ?? Number.NaN))),
            runs: results.map((r) => round(r.torch ?? Number.NaN)),
          }
        : { skipped: torchSkipped },
    ratio: ratios.length === 0 ? null : round(median(ratios), 3),
    ratios: ratios.map((r) => round(r, 3)),
  }),
);
