import type { FamilySpec } from '../../../core/distribution/index.js';
import type { CalibrationChart, FanChart } from './distribution-svg.js';
import type { FoldForecast } from './run.js';
import type { BacktestReport, DistributionBlock, FoldDistribution } from './schema.js';
import { COLOURS } from './svg-primitives.js';
import type { BacktestChart } from './svg.js';

/**
 * The backtest's chart: the last fold's forecasts (the most recent market) and every fold's skill,
 * then the last fold's served intervals and the calibration of every fold's intervals pooled.
 */
export function backtestChart(report: BacktestReport, forecasts: readonly FoldForecast[]): BacktestChart {
  const last = forecasts[forecasts.length - 1];
  const lastFold = report.folds[report.folds.length - 1];
  if (last === undefined || lastFold === undefined) throw new RangeError('backtestChart: no fold');
  const overall = report.overall.metrics;
  const day = (iso: string): string => iso.slice(0, 10);
  const priceLabel = `close (${report.pair.split('/')[1] ?? ''})`;
  const foldDates = `${day(lastFold.test.first_open_time)} to ${day(lastFold.test.last_open_time)}`;
  const distribution = lastFold.distribution;
  // Short enough for one line: the dates are on the time axis, the family and scale in the calibration notes.
  const fan: FanChart = {
    title: `Fold ${lastFold.fold} of ${report.folds.length}: the served intervals of each next close (80% held ${distribution.model.coverage_pct.i80.toFixed(1)}%, 95% held ${distribution.model.coverage_pct.i95.toFixed(1)}%)`,
    priceLabel,
    openTimes: last.openTimes,
    actual: last.actual,
    bands: last.bands,
  };
  return {
    title: `${report.pair} walk-forward backtest, ${report.model.target_mode} target: overall skill ${overall.skill.toFixed(3)}`,
    subtitle: `${report.folds.length} folds, ${overall.windows} hourly forecasts ${day(report.overall.test.first_open_time)} to ${day(report.overall.test.last_open_time)}: MAE ${overall.mae.toFixed(2)} vs naive ${overall.naive_mae.toFixed(2)}, direction ${(100 * overall.direction_accuracy).toFixed(1)}% (config ${report.env}, sequence ${report.model.sequence_length}, ${report.model.layers} x ${report.model.hidden_size} LSTM)`,
    seriesTitle: `Fold ${lastFold.fold} of ${report.folds.length}: forecast vs actual close, ${foldDates} (skill ${lastFold.metrics.skill.toFixed(3)})`,
    priceLabel,
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
    fan,
    calibration: calibrationChart(report.overall.distribution, report.folds.length, lastFold.distribution),
  };
}

function calibrationChart(
  pooled: DistributionBlock,
  folds: number,
  served: FoldDistribution,
): CalibrationChart {
  const curve = pooled.coverage_curve;
  const pct = (skill: number): string => `${skill >= 0 ? '+' : ''}${(100 * skill).toFixed(2)}%`;
  const linear = pooled.linear;
  return {
    title: `Calibration: do the intervals hold what they claim? (${pooled.windows} forecast hours, ${folds} fold(s) pooled)`,
    levels: curve.map((p) => p.level),
    curves: [
      {
        name: 'model',
        label: 'served model (calibrated)',
        colour: COLOURS.band,
        observed: curve.map((p) => p.model),
      },
      {
        name: 'uncalibrated',
        label: 'model before calibration',
        colour: COLOURS.uncalibrated,
        observed: curve.map((p) => p.model_uncalibrated),
      },
      {
        name: 'b1',
        label: 'B1: EWMA(0.94) Gaussian',
        colour: COLOURS.naive,
        observed: curve.map((p) => p.b1),
      },
    ],
    notes: [
      `Served: ${familyText(served.family)}, ${served.scale} scale, ${served.calibration === null ? 'not calibrated' : 'calibrated in each fold'}`,
      ...(served.calibration === null
        ? []
        : [
            `Calibrated levels ${served.calibration.levels.map((l) => `${Math.round(100 * l.level)}%`).join(', ')}; the others use the ${Math.round(100 * served.calibration.reference_level)}% multiplier`,
          ]),
      `CRPS: model ${pooled.model.crps_bp.toFixed(2)} bp, B1 ${pooled.b1.crps_bp.toFixed(2)} bp of price`,
      `CRPS skill vs B1: model ${pct(pooled.model.crps_skill)}, before calibration ${pct(pooled.model_uncalibrated.crps_skill)}, B0 ${pct(pooled.b0.crps_skill)}`,
      linear.same_as_model
        ? 'Linear comparator: the served scale is the linear correction'
        : `Linear comparator: CRPS skill ${pct(linear.crps_skill)}, 90% held ${linear.coverage_pct.i90.toFixed(1)}%`,
      `90% interval held: model ${pooled.model.coverage_pct.i90.toFixed(1)}%, B1 ${pooled.b1.coverage_pct.i90.toFixed(1)}%`,
    ],
  };
}

function familyText(family: FamilySpec): string {
  return family.name === 'student_t' ? `Student-t, nu ${family.nu}` : 'Gaussian';
}
