import type { Config, Pair } from '../../../../core/config/index.js';
import { formatDuration, type Log } from '../../log.js';
import type { Panel } from '../../pipeline/panel.js';
import { networkSettings } from '../../scale/settings.js';
import { runPanelFold, type PanelFoldResult } from './fold.js';
import { planPanelFolds } from './plan.js';
import { summarise } from './pool.js';
import { PanelBacktestReportSchema, type PanelBacktestReport } from './schema.js';

export interface PanelBacktestOptions {
  readonly config: Config;
  readonly env: string;
  readonly panel: Panel;
  readonly folds: number;
  readonly testHours: number;
  readonly holdOut: readonly Pair[];
  readonly backend: string;
  readonly log: Log;
  readonly now?: () => Date;
}

/**
 * The walk-forward backtest of the served distribution on a panel: every fold cuts every pair at the
 * same hour, fits each pair's linear correction and one network across the trained pairs, chooses per
 * pair on validation and scores every model on the fold's test hours (runPanelFold).
 */
export function runPanelBacktest(options: PanelBacktestOptions): PanelBacktestReport {
  const { config, panel, log } = options;
  const started = performance.now();
  const pairs = panel.series.map((s) => s.pair);
  for (const pair of options.holdOut) {
    if (!pairs.includes(pair))
      throw new RangeError(`--hold-out ${pair} is not one of the panel's pairs (${pairs.join(', ')})`);
  }
  if (options.holdOut.length >= pairs.length)
    throw new RangeError('--hold-out leaves no pair to train the network on');
  const hours = panel.series[0]!.candles.length;
  const windowLength = config.features.sequence_length;
  const { plan, folds } = planPanelFolds({
    hours,
    folds: options.folds,
    testHours: options.testHours,
    windowLength,
    valSize: config.features.val_size,
  });
  log.info(
    'panel_backtest_plan',
    `${pairs.length} pair(s) x ${folds.length} fold(s) of ${plan.testRows} hours over ${hours} common hours; each fold trains on ${plan.trainRows} rows per pair${options.holdOut.length === 0 ? '' : `; the network never sees ${options.holdOut.join(', ')}`}`,
    {
      pairs,
      folds: folds.length,
      test_hours: plan.testRows,
      train_rows: plan.trainRows,
      held_out: options.holdOut,
    },
  );
  const settings = networkSettings(config);
  const results: PanelFoldResult[] = [];
  for (const fold of folds) {
    const foldStarted = performance.now();
    const result = runPanelFold(panel.series, fold, {
      distribution: config.distribution,
      windowLength,
      settings,
      holdOut: options.holdOut,
      log,
    });
    results.push(result);
    const elapsed = (performance.now() - started) / 1_000;
    const perFold = elapsed / results.length;
    log.info(
      'panel_backtest_fold',
      `fold ${fold.index + 1}/${folds.length} in ${formatDuration((performance.now() - foldStarted) / 1_000)}: network serves ${result.pairs.filter((p) => p.choice.served === 'shared_network').length} of ${result.pairs.length} pair(s); about ${formatDuration(perFold * (folds.length - results.length))} left`,
      { fold: fold.index + 1, seconds: (performance.now() - foldStarted) / 1_000 },
    );
  }
  const first = panel.series[0]!.candles;
  return PanelBacktestReportSchema.parse({
    kind: 'panel_backtest',
    generated_at: (options.now ?? (() => new Date()))().toISOString(),
    env: options.env,
    pairs,
    held_out: [...options.holdOut],
    failed: panel.failed.map((f) => ({ pair: f.pair, reason: f.reason })),
    hours: {
      first: new Date(first[0]!.openTime).toISOString(),
      last: new Date(first.at(-1)!.openTime).toISOString(),
      count: hours,
    },
    settings: {
      folds: folds.length,
      test_hours: plan.testRows,
      window_length: windowLength,
      train_rows: plan.trainRows,
      family: config.distribution.family,
      network: config.distribution.network,
      seed: config.training.seed,
      backend: options.backend,
    },
    run_seconds: (performance.now() - started) / 1_000,
    ...summarise(results, pairs),
  });
}
