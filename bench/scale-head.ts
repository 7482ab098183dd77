/**
 * The scale head against the linear correction on one pair's real candles: trains conf/base's network
 * with `distribution.scale: network` on a CSV, then measures the distribution twice on the pipeline's
 * own test split with the same trained network (so both share the point model's locations): served by
 * the head, by the linear correction, and by B1's own scale in the served family. Prints JSON.
 *
 *   node --import tsx bench/scale-head.ts <candles.csv> [max_epochs] [overrides as JSON]
 */
import { deepMerge, parseConfig, type Config } from '../core/config/index.js';
import { loadConfig } from '../adapters/config/yaml.js';
import { prepareTrainingData } from '../core/features/index.js';
import type { DistributionMetrics } from '../core/metrics/index.js';
import { measureDistribution } from '../training-image/src/distribution/measure.js';
import { createLog } from '../training-image/src/log.js';
import { loadCandles } from '../training-image/src/pipeline/candles.js';
import { trainModel } from '../training-image/src/pipeline/train-model.js';
import { selectBackend } from '../training-image/src/tf/backend.js';

const [file, epochs, overrides] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: bench/scale-head.ts <candles.csv> [max_epochs]');
const base = loadConfig({ env: 'base', environment: {} }).config as unknown as Record<string, unknown>;
const withScale = (scale: 'network' | 'linear', extra: Record<string, unknown> = {}): Config =>
  parseConfig(deepMerge(deepMerge(base, { distribution: { scale } }), extra));
const config = withScale(
  'network', // unless the overrides say otherwise
  deepMerge(
    epochs === undefined ? {} : { training: { max_epochs: Number.parseInt(epochs, 10) } },
    overrides === undefined ? {} : (JSON.parse(overrides) as Record<string, unknown>),
  ),
);
const log = createLog('text');
const pair = 'BTC/USDT';
const backend = await selectBackend(config.training.backend);
const loaded = await loadCandles(config, pair, { candlesFile: file }, log);
const data = prepareTrainingData(loaded.candles, {
  sequenceLength: config.features.sequence_length,
  testSize: config.features.test_size,
  valSize: config.features.val_size,
  featureSet: config.features.set,
});
// Row r of the training data is candle warmupRows + r (the extended set's look-back).
const candles = loaded.candles.slice(data.warmupRows);
const started = performance.now();
const trained = await trainModel({
  config,
  data,
  backend,
  log,
  label: pair,
  closes: candles.map((c) => c.close),
});
const trainingSeconds = (performance.now() - started) / 1000;
const measure = (scale: 'network' | 'linear' | 'b1'): DistributionMetrics =>
  measureDistribution({
    config: scale === 'network' ? config : { ...config, distribution: { ...config.distribution, scale } },
    candles,
    data,
    network: trained.network,
    testForecasts: trained.test.prices.predicted,
    log,
    label: `${pair} ${scale}`,
  }).metrics;
const summary = (m: DistributionMetrics) => ({
  crps_bp: m.model.crps_bp,
  b1_crps_bp: m.b1.crps_bp,
  crps_skill: m.crps_skill,
  crps_skill_uncalibrated: m.crps_skill_uncalibrated,
  coverage_pct: m.model.coverage_pct,
  coverage_pct_uncalibrated: m.model_uncalibrated.coverage_pct,
  network_shrink: m.network_shrink,
});
// Overrides may train without the head (distribution.scale linear): then there is no head to measure.
const network = trained.network.hasScaleHead ? measure('network') : null;
const linear = measure('linear');
// The served family around B1's own scale: what the head and the correction add beyond the family.
const b1 = measure('b1');
process.stdout.write(
  `${JSON.stringify(
    {
      candles: loaded.candles.length,
      windows: { train: data.train.count, val: data.val.count, test: data.test.count },
      epochs_run: trained.fit.history.length,
      best_epoch: trained.fit.bestEpoch,
      max_epochs: config.training.max_epochs,
      training_seconds: Math.round(trainingSeconds),
      history: trained.fit.history.map((e) => ({
        epoch: e.epoch,
        val_loss: e.valLoss,
        train_scale_crps: e.trainScaleCrps,
        val_scale_crps: e.valScaleCrps,
      })),
      point: { mae: trained.test.accuracy.mae, naive_mae: trained.test.accuracy.naiveMae },
      network: network === null ? null : summary(network),
      linear: summary(linear),
      b1_student_t: summary(b1),
      linear_in_network_run: network?.linear_crps_skill ?? null,
    },
    null,
    2,
  )}\n`,
);
trained.network.dispose();
