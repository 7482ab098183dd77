import type { FoldForecast } from './run.js';
import type { BacktestReport } from './schema.js';
import type { BacktestChart } from './svg.js';

/** The backtest's chart: the last fold's forecasts (the most recent market) and every fold's skill. */
export function backtestChart(report: BacktestReport, forecasts: readonly FoldForecast[]): BacktestChart {
  const last = forecasts[forecasts.length - 1];
  const lastFold = report.folds[report.folds.length - 1];
  if (last === undefined || lastFold === undefined) throw new RangeError('backtestChart: no fold');
  const overall = report.overall.metrics;
  const day = (iso: string): string => iso.slice(0, 10);
  return {
    title: `${report.pair} walk-forward backtest, ${report.model.target_mode} target: overall skill ${overall.skill.toFixed(3)}`,
    subtitle: `${report.folds.length} folds, ${overall.windows} hourly forecasts ${day(report.overall.test.first_open_time)} to ${day(report.overall.test.last_open_time)}: MAE ${overall.mae.toFixed(2)} vs naive ${overall.naive_mae.toFixed(2)}, direction ${(100 * overall.direction_accuracy).toFixed(1)}% (config ${report.env}, sequence ${report.model.sequence_length}, ${report.model.layers} x ${report.model.hidden_size} LSTM)`,
    seriesTitle: `Fold ${lastFold.fold} of ${report.folds.length}: forecast vs actual close, ${day(lastFold.test.first_open_time)} to ${day(lastFold.test.last_open_time)} (skill ${lastFold.metrics.skill.toFixed(3)})`,
    priceLabel: `close (${report.pair.split('/')[1] ?? ''})`,
    series: {
      openTimes: last.openTimes,
      actual: last.actual,
      predicted: last.predicted,
      naive: last.lastClose,
    },
    bars: [
      ...report.folds.map((f) => ({ label: `fold ${f.fold}`, skill: f.metrics.skill })),
      { label: 'all folds', skill: overall.skill, pooled: true },
    ],
  };
}
