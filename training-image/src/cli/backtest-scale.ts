#!/usr/bin/env node
/**
 * Walk-forward measurement of the next hour's return distribution on a CSV of candles:
 *   npm run backtest:scale -- --candles file.csv [--folds 6] [--test-hours 720] [--calibration-hours 720]
 *                             [--nu 5] [--hour-harmonics 3] [--no-volume] [--no-range] [--no-abs-return]
 *                             [--no-slow-volatility] [--no-range-volatility] [--week]
 *                             [--env base] [--out report.json]
 * Scores B0, B1, a Student-t on B1 and the linear log-scale correction (Gaussian and Student-t, with and
 * without split-conformal calibration) on the same windows, per fold and pooled, and prints one JSON
 * document. No network is trained: this is the yardstick the scale head must beat.
 * Exit code 0 on success, 1 with a one-line reason on failure, 2 for a bad configuration.
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import * as z from 'zod';
import { loadConfig } from '../../../adapters/config/yaml.js';
import { RISKMETRICS_LAMBDA, type DistributionScores } from '../../../core/distribution/index.js';
import { timeframeToMs, validateCandles } from '../../../core/market/index.js';
import { readCandlesCsv } from '../../../adapters/market/index.js';
import {
  planScaleFolds,
  poolFolds,
  runScaleFold,
  type ScaleWalkForwardOptions,
} from '../backtest/scale/run.js';
import { ScaleBacktestReportSchema, type ScaleModelName } from '../backtest/scale/schema.js';
import { scaleSeries } from '../backtest/scale/series.js';
import { numberArgument, runCommand, wholeNumber } from './command.js';

const FlagsSchema = z.object({
  candles: z.string(),
  folds: z.number(),
  testHours: z.number(),
  calibrationHours: z.number(),
  minFitHours: z.number(),
  nu: z.number(),
  hourHarmonics: z.number(),
  volume: z.boolean(),
  range: z.boolean(),
  absReturn: z.boolean(),
  week: z.boolean().default(false),
  slowVolatility: z.boolean(),
  rangeVolatility: z.boolean(),
  l2: z.number(),
  env: z.string().optional(),
  out: z.string().optional(),
});

async function main(argv: readonly string[]): Promise<number> {
  const whole = wholeNumber(1);
  const program = new Command()
    .name('backtest:scale')
    .description(
      'Walk-forward scores of the next-hour return distribution: baselines and the linear scale correction',
    )
    .requiredOption('--candles <file>', 'CSV of candles (any layout the project reads)')
    .addOption(new Option('--folds <n>', 'test folds at the end of the file').argParser(whole).default(6))
    .addOption(new Option('--test-hours <n>', 'windows per fold').argParser(whole).default(720))
    .addOption(
      new Option('--calibration-hours <n>', 'most recent windows before each fold, held out to calibrate on')
        .argParser(whole)
        .default(720),
    )
    .addOption(
      new Option('--min-fit-hours <n>', 'fewest windows a fit may use').argParser(whole).default(720),
    )
    .addOption(
      new Option('--nu <n>', 'Student-t degrees of freedom (above 2)')
        .argParser(numberArgument(z.number().gt(2), 'a number above 2'))
        .default(5),
    )
    .addOption(
      new Option('--hour-harmonics <n>', 'harmonics of the hour of day in the correction (0: none)')
        .argParser(numberArgument(z.number().int().min(0).max(6), 'a whole number from 0 to 6'))
        .default(3),
    )
    .option('--no-volume', 'leave the relative log volume out of the correction')
    .option('--no-range', 'leave the last range out of the correction')
    .option('--no-abs-return', 'leave the last |return| out of the correction')
    .option('--week', 'add the position in the week to the correction')
    .option('--no-slow-volatility', "leave the window's slow volatility over sigma_B1 out of the correction")
    .option(
      '--no-range-volatility',
      "leave the last day's Parkinson volatility over sigma_B1 out of the correction",
    )
    .addOption(
      new Option('--l2 <x>', 'ridge penalty on the standardised weights')
        .argParser(numberArgument(z.number().min(0), 'a number of at least 0'))
        .default(1e-4),
    )
    .option(
      '--env <name>',
      'configuration under conf/ for the interval, gap policy and window length (default: base)',
    )
    .option('--out <file>', 'also write the JSON report to this file')
    .showHelpAfterError()
    .parse(argv);
  const flags = FlagsSchema.parse(program.opts());
  const { config } = loadConfig({ env: flags.env ?? 'base', environment: process.env });
  const started = performance.now();

  const raw = await readCandlesCsv(flags.candles);
  const { candles } = validateCandles(raw, timeframeToMs(config.market.interval), {
    gapPolicy: config.market.gap_policy,
    maxFillGap: config.market.max_fill_gap,
    source: flags.candles,
  });
  const options: ScaleWalkForwardOptions = {
    folds: flags.folds,
    testHours: flags.testHours,
    calibrationHours: flags.calibrationHours,
    minFitHours: flags.minFitHours,
    studentT: { name: 'student_t', nu: flags.nu },
    inputs: {
      hour_harmonics: flags.hourHarmonics,
      volume: flags.volume,
      range: flags.range,
      abs_return: flags.absReturn,
      week: flags.week,
      slow_volatility: flags.slowVolatility,
      range_volatility: flags.rangeVolatility,
    },
    l2: flags.l2,
  };
  const windowLength = config.features.sequence_length;
  const series = scaleSeries(candles, { windowLength, inputs: options.inputs });
  const plans = planScaleFolds(series.count, options);
  const folds = plans.map((plan, k) => {
    const result = runScaleFold(series, k, plan, options);
    process.stderr.write(
      `fold ${k}: ${result.fold.test_first} .. ${result.fold.test_last}: B1 ${result.scores.B1.crps_bp.toFixed(2)} bp, linear_t_calibrated skill ${(100 * result.fold.models.linear_t_calibrated.crps_skill).toFixed(2)}%, 90% coverage ${result.scores.linear_t_calibrated.coverage_pct.i90.toFixed(1)}%\n`,
    );
    return result;
  });
  const report = ScaleBacktestReportSchema.parse({
    source: flags.candles,
    candles: candles.length,
    first_open: new Date(candles[0]!.openTime).toISOString(),
    last_open: new Date(candles[candles.length - 1]!.openTime).toISOString(),
    settings: {
      folds: options.folds,
      test_hours: options.testHours,
      calibration_hours: options.calibrationHours,
      window_length: windowLength,
      lambda: RISKMETRICS_LAMBDA,
      student_t: options.studentT,
      inputs: options.inputs,
      l2: options.l2,
    },
    seconds: (performance.now() - started) / 1000,
    pooled: poolFolds(folds.map((fold) => fold.scores as Record<ScaleModelName, DistributionScores>)),
    folds: folds.map((fold) => fold.fold),
  });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (flags.out !== undefined) await writeFile(flags.out, json);
  process.stdout.write(json);
  return 0;
}

runCommand('backtest:scale', main);
