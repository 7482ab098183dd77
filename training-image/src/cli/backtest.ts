#!/usr/bin/env node
/**
 * Walk-forward backtest of the training pipeline on one pair:
 *   npm run backtest -- --pair BTC/USDT --candles file.csv [--folds 3] [--test-hours N] [--env local] [--out DIR]
 * Prints the report (one JSON document) on stdout, progress on stderr, and writes the report and an SVG
 * chart to --out. Exit code 0 on success, 1 with a one-line reason on failure, 2 for a bad configuration.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import * as z from 'zod';
import { loadConfig } from '../../../adapters/config/yaml.js';
import { describeDataSource } from '../../../core/metrics/index.js';
import { backtestChart } from '../backtest/chart.js';
import { runBacktest } from '../backtest/run.js';
import { backtestSvg } from '../backtest/svg.js';
import { createLog } from '../log.js';
import { loadCandles } from '../pipeline/candles.js';
import { selectBackend } from '../tf/backend.js';
import { pairsToTrain } from './pairs.js';
import { outputPaths, runCommand, shown, wholeNumber } from './command.js';

/** Git-ignored: the figures a person decides to keep are copied to docs/public/reports/ by hand. */
const DEFAULT_OUT = fileURLToPath(new URL('../../../reports/backtest/', import.meta.url));

const FlagsSchema = z.object({
  pair: z.string(),
  candles: z.string().optional(),
  exchangeUrl: z.string().optional(),
  folds: z.number().int().min(1),
  testHours: z.number().int().min(1).optional(),
  env: z.string().optional(),
  targetMode: z.enum(['level', 'residual']).optional(),
  out: z.string(),
});

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('backtest')
    .description(
      'Walk-forward backtest: train on a window of candles, forecast the period after it, slide and retrain',
    )
    .requiredOption('--pair <pair>', 'pair to backtest, e.g. BTC/USDT')
    .option('--candles <file>', 'read candles from a CSV file instead of the exchange')
    .option('--exchange-url <url>', 'ccxt-compatible endpoint replacing the exchange API')
    .addOption(new Option('--folds <n>', 'train-and-forecast steps').argParser(wholeNumber(1)).default(3))
    .addOption(
      new Option(
        '--test-hours <n>',
        'rows each fold forecasts (hours on 1h candles; default: features.test_size of the candles)',
      ).argParser(wholeNumber(1)),
    )
    .option('--env <name>', 'configuration under conf/ laid over conf/base (default: MUR_ENV or base)')
    .addOption(
      new Option(
        '--target-mode <mode>',
        'override training.target_mode (level: the original system)',
      ).choices(['level', 'residual']),
    )
    .option('--out <dir>', 'folder for the JSON report and the SVG chart', DEFAULT_OUT)
    .showHelpAfterError()
    .parse(argv);
  const flags = FlagsSchema.parse(program.opts());
  const log = createLog();

  const environment = {
    ...process.env,
    ...(flags.exchangeUrl === undefined ? {} : { EXCHANGE_URL: flags.exchangeUrl }),
  };
  const fromFiles = loadConfig({ env: flags.env, environment });
  for (const warning of fromFiles.warnings) log.warn('config_retired_key', warning);
  const env = fromFiles.env;
  const config =
    flags.targetMode === undefined
      ? fromFiles.config
      : { ...fromFiles.config, training: { ...fromFiles.config.training, target_mode: flags.targetMode } };
  // With a flag, pairsToTrain returns that one pair or throws naming it.
  const pair = pairsToTrain(config, flags.pair, environment)[0]!;
  const backend = await selectBackend(config.training.backend);
  log.info(
    'start',
    `backtesting ${pair} (config ${env}, target ${config.training.target_mode}) on TensorFlow.js ${backend.name} (${backend.provider})`,
    { pair, env, backend: backend.name, skipped_backends: backend.skipped },
  );

  const loaded = await loadCandles(config, pair, { candlesFile: flags.candles }, log);
  log.info('candles', `${pair}: ${loaded.candles.length} candles from ${describeDataSource(loaded.source)}`, {
    pair,
    candles: loaded.candles.length,
    filled: loaded.report.filledCount,
  });
  const { report, forecasts } = await runBacktest({
    config,
    pair,
    env,
    loaded,
    backend,
    log,
    folds: flags.folds,
    testRows: flags.testHours,
  });

  const json = `${JSON.stringify(report, null, 2)}\n`;
  const name = `backtest-${pair.replace('/', '_')}-${env}-${config.training.target_mode}`;
  const [jsonPath, svgPath] = await outputPaths(flags.out, name, ['json', 'svg']);
  await writeFile(jsonPath, json);
  await writeFile(svgPath, backtestSvg(backtestChart(report, forecasts)));
  log.info('written', `wrote ${shown(jsonPath)} and ${shown(svgPath)}`, { json: jsonPath, svg: svgPath });
  process.stdout.write(json);
  return 0;
}

runCommand('backtest', main);
