#!/usr/bin/env node
/**
 * Walk-forward backtest of the served distribution across pairs, with the shared scale network:
 *   npm run backtest:panel -- [--candles a.csv,b.csv --pairs X/USDT,Y/USDT] [--folds 3] [--test-hours 720]
 *                             [--hold-out PAIR[,PAIR]] [--seed N] [--env base] [--out DIR]
 * Every fold cuts every pair at the same hour. Prints the per-pair table (Markdown) on stdout, progress on
 * stderr, and writes the JSON report and the table to --out. Exit code 0 on success, 1 with a one-line
 * reason on failure, 2 for a bad configuration.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as z from 'zod';
import { PairSchema, type Pair } from '../../../core/config/index.js';
import { loadConfig } from '../../../adapters/config/yaml.js';
import { runPanelBacktest } from '../backtest/panel/run.js';
import { panelFoldTable, panelTable } from '../backtest/panel/table.js';
import { createLog } from '../log.js';
import { loadPanel } from '../pipeline/panel.js';
import { selectBackend } from '../tf/backend.js';
import { candleFilesPerPair } from './candle-files.js';
import { outputPaths, runCommand, shown, wholeNumber } from './command.js';

/** Git-ignored: the figures a person decides to keep are copied into the docs by hand. */
const DEFAULT_OUT = fileURLToPath(new URL('../../../reports/backtest/', import.meta.url));

const FlagsSchema = z.object({
  candles: z.string().optional(),
  pairs: z.string().optional(),
  folds: z.number().int().min(1),
  testHours: z.number().int().min(1),
  holdOut: z.string().optional(),
  seed: z.number().int().min(0).optional(),
  env: z.string().optional(),
  out: z.string(),
});

function heldOutPairs(value: string | undefined): Pair[] {
  if (value === undefined) return [];
  return value.split(',').map((entry) => {
    const parsed = PairSchema.safeParse(entry.trim().toUpperCase());
    if (!parsed.success) throw new InvalidArgumentError(`--hold-out ${entry}: expected a pair like ETH/USDT`);
    return parsed.data;
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('backtest:panel')
    .description(
      "Walk-forward backtest of the served distribution across pairs: each pair's linear correction, one scale network for all, the baselines",
    )
    .option('--candles <files>', 'one CSV file per pair, comma-separated, in the order of --pairs')
    .option('--pairs <pairs>', 'pairs, comma-separated (default: the configured pairs)')
    .addOption(new Option('--folds <n>', 'walk-forward folds').argParser(wholeNumber(1)).default(3))
    .addOption(
      new Option('--test-hours <n>', 'hours each fold forecasts').argParser(wholeNumber(1)).default(720),
    )
    .option(
      '--hold-out <pairs>',
      'pairs the network does not train on; each is served by it with the pooled calibration',
    )
    .addOption(
      new Option('--seed <n>', 'first seed of the network members (default: training.seed)').argParser(
        wholeNumber(0),
      ),
    )
    .option('--env <name>', 'configuration under conf/ laid over conf/base (default: MUR_ENV or base)')
    .option('--out <dir>', 'folder for the JSON report and the Markdown table', DEFAULT_OUT)
    .showHelpAfterError()
    .parse(argv);
  const flags = FlagsSchema.parse(program.opts());
  const log = createLog();
  const loaded = loadConfig({ env: flags.env, environment: process.env });
  for (const warning of loaded.warnings) log.warn('config_retired_key', warning);
  const config =
    flags.seed === undefined
      ? loaded.config
      : { ...loaded.config, training: { ...loaded.config.training, seed: flags.seed } };
  const holdOut = heldOutPairs(flags.holdOut);
  const { pairs, candlesFiles } = candleFilesPerPair(flags, config.pairs);
  const backend = await selectBackend(config.training.backend);
  log.info(
    'start',
    `panel backtest of ${pairs.join(', ')} (config ${loaded.env}) on TensorFlow.js ${backend.name}`,
    {
      pairs,
      env: loaded.env,
      backend: backend.name,
    },
  );
  const panel = await loadPanel(config, pairs, { candlesFiles }, log);
  const report = runPanelBacktest({
    config,
    env: loaded.env,
    panel,
    folds: flags.folds,
    testHours: flags.testHours,
    holdOut,
    backend: backend.name,
    log,
  });
  const table = `${panelTable(report)}\n${panelFoldTable(report)}`;
  const name = `panel-${report.pairs.length}-pairs-${loaded.env}${holdOut.length === 0 ? '' : `-without-${holdOut.map((p) => p.replace('/', '_')).join('-')}`}`;
  const [jsonPath, tablePath] = await outputPaths(flags.out, name, ['json', 'md']);
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(tablePath, table);
  log.info(
    'written',
    `wrote ${shown(jsonPath)} and ${shown(tablePath)} in ${report.run_seconds.toFixed(0)} s`,
    {
      json: jsonPath,
      table: tablePath,
    },
  );
  process.stdout.write(table);
  return 0;
}

runCommand('backtest:panel', main);
