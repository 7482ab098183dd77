/**
 * npm run bench:train (its second part; `npm run bench:train -- OPTIONS` passes OPTIONS here), or
 * npx tsx bench/train-scale.ts [--runs 3] [--epochs 5] [--windows 14256] [--backend auto] [--torch-threads 1]
 * Training throughput of the shared scale network (an LSTM of 32 over 48 hours of 2 scale-free channels, a
 * Dense(1) head and a linear term over the 11 standardised inputs, the Student-t CRPS, AdamW, batch 256:
 * distribution.network's defaults) beside a PyTorch reference of the same network (bench/torch_scale_reference.py,
 * research's net.py) on the same arrays. The windows are synthetic, of a 3-fold panel's size by default (14,256
 * training and a quarter as many validation windows), drawn as research's bench.py draws them, so the figure
 * depends on neither the data nor when validation would stop: each side trains a fixed number of epochs with
 * no early stop, TF.js through the pipeline's own fitScaleMember, and reports training sequences per second
 * per epoch (the training loop only, validation excluded), the median over the epochs. Each run measures both,
 * one after the other, so a busy machine slows both alike; the ratio is the median of the runs' ratios.
 * fitScaleMember trains on the calling thread (it has no worker threads). PyTorch runs on 1 intra-op thread by
 * default, its fastest on the 2-core machine. Prints one JSON line; without python3-torch, the TF.js figures
 * and `torch: null` with the reason.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SCALE_NETWORK_CONFIG } from '../core/config/scale-network.js';
import {
  DEFAULT_SCALE_INPUTS,
  SCALE_SEQUENCE_CHANNELS,
  scaleInputNames,
  unitFamily,
} from '../core/distribution/index.js';
import { SeededRandom } from '../training-image/src/model/random.js';
import { fitScaleMember } from '../training-image/src/scale/fit.js';
import type { ScaleWindows } from '../training-image/src/scale/windows.js';
import type { BackendChoice } from '../training-image/src/tf/backend.js';
import { loadAverage, machineLoad, median, round, tfjsKernels } from './report.js';
import { runTorchReference, torchBuild, type TorchResult } from './python.js';

const NETWORK = DEFAULT_SCALE_NETWORK_CONFIG;
const HOURS = NETWORK.sequence_hours;
const CHANNELS = SCALE_SEQUENCE_CHANNELS.length;
const INPUTS = scaleInputNames(DEFAULT_SCALE_INPUTS).length;
const FAMILY = { name: 'student_t', nu: 5 } as const;
const BACKENDS: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '5' },
    /** A 3-fold panel: six pairs x 2,376 training windows (and 594 validation windows each). */
    windows: { type: 'string', default: '14256' },
    backend: { type: 'string', default: 'auto' },
    'torch-threads': { type: 'string', default: '1' },
  },
});
const runs = Number(values.runs);
const epochs = Number(values.epochs);
const trainCount = Number(values.windows);
const valCount = Math.round(trainCount / 4);
const torchThreads = Number(values['torch-threads']);
for (const [name, value] of Object.entries({
  runs,
  epochs,
  windows: trainCount,
  'torch-threads': torchThreads,
})) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
}
const backendChoice = values.backend as BackendChoice;
if (!BACKENDS.includes(backendChoice)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}`);
// torch.set_num_threads does not reach Debian's OpenBLAS, which starts a thread per core of its own:
// the reference's child process gets the same count (it inherits this environment).
process.env['OPENBLAS_NUM_THREADS'] ??= String(torchThreads);

/** Standard normal draws (Box-Muller) from the project's seeded generator. */
function normals(random: SeededRandom): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** A unit-variance Student-t (nu 5) draw: N / sqrt(chi2_5 / 5), scaled by sqrt(3/5). */
function studentT5(normal: () => number): number {
  let chi2 = 0;
  for (let k = 0; k < 5; k += 1) chi2 += normal() ** 2;
  return (normal() / Math.sqrt(chi2 / 5)) * Math.sqrt(3 / 5);
}

/**
 * Windows drawn as research's bench.py draws them: per hour, the return over B1 a unit-variance t5 and the
 * range over B1 |N| x 1.2; the linear inputs standard normal (so the standardiser is the identity); the next
 * return a unit-variance t5 times a B1 scale of about 0.5%.
 */
function syntheticWindows(count: number, seed: number): ScaleWindows {
  const normal = normals(new SeededRandom(seed));
  const sequences = new Float32Array(count * HOURS * CHANNELS);
  for (let i = 0; i < sequences.length; i += CHANNELS) {
    sequences[i] = studentT5(normal);
    sequences[i + 1] = Math.abs(normal()) * 1.2;
  }
  const inputs = Float64Array.from({ length: count * INPUTS }, () => normal());
  const sigmaB1 = Float64Array.from({ length: count }, () => 0.005 * Math.exp(0.3 * normal()));
  const logReturn = sigmaB1.map((sigma) => sigma * studentT5(normal));
  return {
    count,
    hours: HOURS,
    channels: CHANNELS,
    inputCount: INPUTS,
    sequences,
    inputs,
    sigmaB1,
    logReturn,
  };
}

const train = syntheticWindows(trainCount, 1);
const val = syntheticWindows(valCount, 2);
const start = {
  standardiser: { mean: new Array<number>(INPUTS).fill(0), sd: new Array<number>(INPUTS).fill(1) },
  linear: { weights: new Array<number>(INPUTS).fill(0), bias: 0 },
};

const kernels = await tfjsKernels(backendChoice);

interface Measured {
  /** Median over the epochs of training sequences per second. */
  readonly rate: number;
  readonly epochs: readonly number[];
  /** The whole fit: every epoch with its validation pass. */
  readonly wallSeconds: number;
}

/** One member trained for exactly `epochs` epochs by the pipeline's fitScaleMember (patience beyond them). */
function measureTfjs(seed: number): Measured {
  const started = performance.now();
  const fit = fitScaleMember(train, val, start, {
    family: unitFamily(FAMILY),
    hiddenSize: NETWORK.hidden_size,
    learningRate: NETWORK.learning_rate,
    weightDecay: NETWORK.weight_decay,
    batchSize: NETWORK.batch_size,
    patience: epochs + 1,
    maxEpochs: epochs,
    seed,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  fit.network.dispose();
  if (fit.history.length !== epochs) throw new Error(`${fit.history.length} epochs trained, not ${epochs}`);
  const rates = fit.history.map((epoch) => epoch.sequencesPerSecond);
  return { rate: median(rates), epochs: rates, wallSeconds };
}

const SCRIPT = fileURLToPath(new URL('./torch_scale_reference.py', import.meta.url));
const runScaleReference = (args: readonly string[]): Promise<TorchResult> => runTorchReference(args, SCRIPT);

const loadBefore = loadAverage();
const dir = await mkdtemp(join(tmpdir(), 'bench-train-scale-'));
const results: { tfjs: Measured; torch: Measured | null }[] = [];
let torchInfo: Record<string, unknown> = {};
let torchSkipped: string | null = null;
try {
  for (const [split, windows] of [
    ['train', train],
    ['val', val],
  ] as const) {
    await writeFile(join(dir, `${split}_seq.f32`), windows.sequences);
    await writeFile(join(dir, `${split}_z.f32`), Float32Array.from(windows.inputs));
    await writeFile(
      join(dir, `${split}_u.f32`),
      Float32Array.from(windows.logReturn, (y, i) => y / windows.sigmaB1[i]!),
    );
  }
  for (let run = 0; run < runs; run++) {
    const tfjs = measureTfjs(run);
    const torch: TorchResult | null =
      torchSkipped === null
        ? await runScaleReference([
            ...['--dir', dir, '--train', String(trainCount), '--val', String(valCount)],
            ...['--hours', String(HOURS), '--channels', String(CHANNELS), '--inputs', String(INPUTS)],
            ...['--hidden', String(NETWORK.hidden_size), '--batch', String(NETWORK.batch_size)],
            ...['--lr', String(NETWORK.learning_rate), '--weight-decay', String(NETWORK.weight_decay)],
            ...['--epochs', String(epochs), '--seed', String(run), '--threads', String(torchThreads)],
          ])
        : null;
    let measured: Measured | null = null;
    if (torch?.ok === true && typeof torch['sequences_per_second'] === 'number') {
      measured = {
        rate: torch['sequences_per_second'],
        epochs: torch['epochs_sequences_per_second'] as number[],
        wallSeconds: torch['wall_seconds'] as number,
      };
      torchInfo = torchBuild(torch, values['torch-threads']);
    } else if (torch !== null) {
      torchSkipped = torch.ok ? 'the reference printed no sequences_per_second' : torch.reason;
    }
    results.push({ tfjs, torch: measured });
    process.stderr.write(
      `run ${run + 1}/${runs}: TF.js ${tfjs.rate.toFixed(0)} seq/s, PyTorch ${measured === null ? 'skipped' : `${measured.rate.toFixed(0)} seq/s`}\n`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const torchRuns = results.flatMap((r) => (r.torch === null ? [] : [r.torch]));
const ratios = results.flatMap((r) => (r.torch === null ? [] : [r.tfjs.rate / r.torch.rate]));

console.log(
  JSON.stringify({
    bench: 'train-scale',
    date: new Date().toISOString(),
    network: {
      hours: HOURS,
      channels: CHANNELS,
      hidden: NETWORK.hidden_size,
      linear_inputs: INPUTS,
      batch: NETWORK.batch_size,
      learning_rate: NETWORK.learning_rate,
      weight_decay: NETWORK.weight_decay,
      family: FAMILY,
    },
    data: 'synthetic (research bench.py draws)',
    windows: { train: trainCount, val: valCount },
    epochs,
    runs,
    ...machineLoad(loadBefore),
    tfjs: {
      ...kernels,
      worker_threads: 0,
      sequences_per_second: round(median(results.map((r) => r.tfjs.rate))),
      runs: results.map((r) => round(r.tfjs.rate)),
      epochs_per_run: results.map((r) => r.tfjs.epochs.map((rate) => round(rate, 0))),
      wall_seconds: results.map((r) => round(r.tfjs.wallSeconds)),
    },
    torch:
      torchSkipped === null && torchRuns.length > 0
        ? {
            ...torchInfo,
            sequences_per_second: round(median(torchRuns.map((r) => r.rate))),
            runs: torchRuns.map((r) => round(r.rate)),
            epochs_per_run: torchRuns.map((r) => r.epochs.map((rate) => round(rate, 0))),
            wall_seconds: torchRuns.map((r) => round(r.wallSeconds)),
          }
        : null,
    ...(torchSkipped === null ? {} : { torch_skipped: torchSkipped }),
    ratio: ratios.length === 0 || torchSkipped !== null ? null : round(median(ratios), 3),
    ratios: torchSkipped === null ? ratios.map((r) => round(r, 3)) : [],
  }),
);
