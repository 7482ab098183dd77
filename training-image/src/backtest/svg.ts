/**
 * The backtest's picture as a standalone SVG, written by hand (no chart library, no browser): predicted
 * against actual closes over one fold's forecasts, the naive forecast faintly behind them, a bar
 * chart of skill per fold around the 0 line, then the served distribution: the last fold's fan chart
 * and the calibration plot (distribution-svg.ts). Any browser or image viewer opens it.
 */
import { calibrationPanel, fanPanel, type CalibrationChart, type FanChart } from './distribution-svg.js';
import {
  COLOURS,
  LEFT,
  RIGHT,
  WIDTH,
  escapeXml,
  fixed,
  formatNumber,
  line,
  padded,
  polyline,
  scale,
  text,
  timeSeriesFrame,
  valueGridlines,
} from './svg-primitives.js';

export { escapeXml, niceTicks, niceTimeTicks } from './svg-primitives.js';

export interface ForecastSeries {
  /** Open time of each forecast candle, ms since the epoch (UTC), ascending. */
  readonly openTimes: ArrayLike<number>;
  readonly actual: ArrayLike<number>;
  readonly predicted: ArrayLike<number>;
  /** The naive forecast "next close = last close". */
  readonly naive: ArrayLike<number>;
}

export interface SkillBar {
  readonly label: string;
  /** 1 - MAE / naive MAE; above 0 beats the naive forecast. */
  readonly skill: number;
  /** Drawn apart from the folds: the skill of every fold's forecasts pooled. */
  readonly pooled?: boolean;
}

export interface BacktestChart {
  readonly title: string;
  readonly subtitle?: string;
  /** Heading of the price panel, e.g. which fold and dates it shows. */
  readonly seriesTitle: string;
  /** Name of the price axis, e.g. `close (USDT)`. */
  readonly priceLabel: string;
  readonly series: ForecastSeries;
  readonly bars: readonly SkillBar[];
  /** The served 80% and 95% intervals of the next close around the actual closes. */
  readonly fan: FanChart;
  readonly calibration: CalibrationChart;
}

const HEIGHT = 1540;
const PRICE = { top: 112, bottom: 416 } as const;
const SKILL = { top: 506, bottom: 664 } as const;
const FAN = { top: 780, bottom: 1080 } as const;
const CALIBRATION = { top: 1180, bottom: 1480 } as const;

export function backtestSvg(chart: BacktestChart): string {
  const { series } = chart;
  const n = series.openTimes.length;
  if (n === 0) throw new RangeError('backtestSvg: the series has no point');
  for (const [name, values] of Object.entries({
    actual: series.actual,
    predicted: series.predicted,
    naive: series.naive,
  })) {
    if (values.length !== n)
      throw new RangeError(`backtestSvg: ${n} times but ${values.length} ${name} values`);
  }
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(LEFT, 30, chart.title, { size: 18, weight: 'bold' }),
    ...(chart.subtitle === undefined ? [] : [text(LEFT, 52, chart.subtitle, { size: 13, fill: '#57606a' })]),
    ...pricePanel(chart.seriesTitle, chart.priceLabel, series),
    ...skillPanel(chart.bars),
    ...fanPanel(chart.fan, FAN),
    ...calibrationPanel(chart.calibration, CALIBRATION),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function pricePanel(title: string, priceLabel: string, series: ForecastSeries): string[] {
  const { x, y, parts } = timeSeriesFrame(PRICE, {
    title,
    priceLabel,
    timeLabel: 'open time of the forecast candle (UTC)',
    openTimes: series.openTimes,
    values: [...Array.from(series.actual), ...Array.from(series.predicted), ...Array.from(series.naive)],
  });
  const points = (values: ArrayLike<number>): string =>
    Array.from(values, (v, i) => `${fixed(x(series.openTimes[i]!))},${fixed(y(v))}`).join(' ');
  parts.push(polyline('naive', points(series.naive), COLOURS.naive, 1, 0.6));
  parts.push(polyline('actual', points(series.actual), COLOURS.actual, 1.4, 1));
  parts.push(polyline('predicted', points(series.predicted), COLOURS.predicted, 1.4, 1));
  const legend = [
    { label: 'actual close', colour: COLOURS.actual },
    { label: 'model forecast', colour: COLOURS.predicted },
    { label: 'naive forecast (last close)', colour: COLOURS.naive },
  ];
  // A row above the plot rather than a box inside it, where it would hide prices.
  legend.forEach((item, i) => {
    const lx = LEFT + i * 180;
    const ly = PRICE.top - 10;
    parts.push(line(lx, ly - 4, lx + 22, ly - 4, item.colour, 2));
    parts.push(text(lx + 28, ly, item.label));
  });
  return parts;
}

function skillPanel(bars: readonly SkillBar[]): string[] {
  const out = [
    text(
      LEFT,
      SKILL.top - 22,
      'Skill per fold: 1 − MAE / naive MAE (above 0 beats "next close = last close")',
      {
        size: 14,
        weight: 'bold',
      },
    ),
  ];
  if (bars.length === 0) return out;
  const skills = bars.map((b) => b.skill).filter(Number.isFinite);
  // Wide margins: the value labels sit beyond the bars' ends.
  const [lo, hi] = padded(Math.min(0, ...skills), Math.max(0, ...skills), 0.15);
  const y = scale(lo, hi, SKILL.bottom, SKILL.top);
  out.push(...valueGridlines(lo, hi, 4, y));
  out.push(text(20, (SKILL.top + SKILL.bottom) / 2, 'skill', { anchor: 'middle', rotate: true }));
  const band = (WIDTH - LEFT - RIGHT) / bars.length;
  const width = Math.min(band * 0.6, 90);
  bars.forEach((bar, i) => {
    const centre = LEFT + band * (i + 0.5);
    out.push(text(centre, SKILL.bottom + 18, bar.label, { anchor: 'middle' }));
    if (!Number.isFinite(bar.skill)) {
      out.push(text(centre, y(0) - 6, 'n/a', { anchor: 'middle' }));
      return;
    }
    const top = Math.min(y(bar.skill), y(0));
    const height = Math.max(Math.abs(y(bar.skill) - y(0)), 0.5);
    const fill = bar.pooled === true ? COLOURS.pooled : bar.skill > 0 ? COLOURS.better : COLOURS.worse;
    out.push(
      `<rect class="bar${bar.pooled === true ? ' pooled' : ''}" x="${fixed(centre - width / 2)}" y="${fixed(top)}" width="${fixed(width)}" height="${fixed(height)}" fill="${fill}"><title>${escapeXml(`${bar.label}: skill ${bar.skill.toFixed(4)}`)}</title></rect>`,
    );
    const labelY = bar.skill >= 0 ? top - 6 : top + height + 14;
    // A skill within a hair of 0 (a model shrunk to, or tied with, the naive forecast) shows its size.
    const tiny = bar.skill !== 0 && Math.abs(bar.skill) < 1e-3;
    out.push(
      text(centre, labelY, tiny ? bar.skill.toExponential(1) : formatNumber(bar.skill, 0.0001), {
        anchor: 'middle',
      }),
    );
  });
  out.push(
    `<line class="zero" x1="${LEFT}" y1="${fixed(y(0))}" x2="${WIDTH - RIGHT}" y2="${fixed(y(0))}" stroke="${COLOURS.actual}" stroke-width="1.5"/>`,
  );
  return out;
}
