/**
 * What the dashboard's two SVG charts draw, as plain data: the learning curves of one or two runs, and
 * the held-out fan. Pure, without the DOM (plot.ts does the arithmetic); the pages turn these into SVG
 * elements, and the page test reads the drawn points back through the same scales.
 */
import type { HeldOutHour } from '../../../core/runs/heldout.js';
import type { RunEpoch } from '../../../core/runs/run-record.js';
import { bandPoints, extent, linearScale, niceTicks, polylinePoints, type LinearScale } from './plot.js';

/** A chart's box in SVG user units (its viewBox), and the margins the axes take. */
export const CHART_SIZE = { width: 960, height: 320, left: 76, right: 16, top: 12, bottom: 30 } as const;

export interface Axis {
  readonly scale: LinearScale;
  /** Tick positions in data units, and their labels. */
  readonly ticks: readonly { readonly value: number; readonly label: string }[];
}

export interface PlotFrame {
  readonly x: Axis;
  readonly y: Axis;
}

function frame(
  xDomain: readonly [number, number],
  yDomain: readonly [number, number],
  xTicks: Axis['ticks'],
  yLabel: (value: number) => string,
): PlotFrame {
  const { width, height, left, right, top, bottom } = CHART_SIZE;
  const y = linearScale(yDomain, [height - bottom, top]);
  return {
    x: { scale: linearScale(xDomain, [left, width - right]), ticks: xTicks },
    y: {
      scale: y,
      ticks: niceTicks(yDomain[0], yDomain[1], 5).map((value) => ({ value, label: yLabel(value) })),
    },
  };
}

/** One line of a learning chart: a run's training or validation loss by epoch. */
export interface CurveLine {
  /** Which run: 'A' or 'B' in a comparison, 'A' alone. */
  readonly run: string;
  readonly kind: 'train' | 'val';
  readonly points: string;
  /** The epochs and losses drawn, in order. */
  readonly epochs: readonly number[];
  readonly losses: readonly number[];
}

export interface LearningChart extends PlotFrame {
  readonly lines: readonly CurveLine[];
  /** Each run's best epoch, marked on its validation line. */
  readonly best: readonly { readonly run: string; readonly epoch: number; readonly loss: number }[];
}

/** A loss with the digits its size needs: 0.0123, 1.23e-5. */
export function lossLabel(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) >= 1e-3 ? value.toPrecision(3) : value.toExponential(1);
}

/** The learning curves of one or two runs on one pair of axes: epochs across, loss up. */
export function learningChart(
  runs: readonly { readonly run: string; readonly epochs: readonly RunEpoch[]; readonly bestEpoch: number }[],
): LearningChart {
  const all = runs.flatMap((r) => r.epochs);
  const lastEpoch = Math.max(2, ...all.map((e) => e.epoch));
  const [low, high] = extent(
    all.flatMap((e) => [e.train_loss, e.val_loss]),
    0.06,
  );
  const step = Math.max(1, Math.ceil(lastEpoch / 12));
  const xTicks = [];
  for (let epoch = 1; epoch <= lastEpoch; epoch += step) xTicks.push({ value: epoch, label: String(epoch) });
  const chart = frame([1, lastEpoch], [Math.max(0, low), high], xTicks, lossLabel);
  const lines: CurveLine[] = [];
  const best: LearningChart['best'][number][] = [];
  for (const { run, epochs, bestEpoch } of runs) {
    const xs = epochs.map((e) => e.epoch);
    for (const kind of ['train', 'val'] as const) {
      const losses = epochs.map((e) => (kind === 'train' ? e.train_loss : e.val_loss));
      lines.push({
        run,
        kind,
        epochs: xs,
        losses,
        points: polylinePoints(xs, losses, chart.x.scale, chart.y.scale),
      });
    }
    const bestOne = epochs.find((e) => e.epoch === bestEpoch);
    if (bestOne !== undefined) best.push({ run, epoch: bestOne.epoch, loss: bestOne.val_loss });
  }
  return { ...chart, lines, best };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Midnights (UTC) across [from, to], about `count` of them, labelled `MM-DD`. */
function dayTicks(from: number, to: number, count = 8): Axis['ticks'] {
  const days = Math.max(1, Math.ceil((to - from) / DAY_MS / count));
  const ticks = [];
  for (let t = Math.ceil(from / DAY_MS) * DAY_MS; t <= to; t += days * DAY_MS) {
    ticks.push({ value: t, label: new Date(t).toISOString().slice(5, 10) });
  }
  if (ticks.length === 0)
    ticks.push({ value: from, label: new Date(from).toISOString().slice(5, 16).replace('T', ' ') });
  return ticks;
}

/** A price label with the decimals the price range needs. */
export function priceLabel(value: number, span: number): string {
  const decimals = span >= 100 ? 0 : span >= 1 ? 2 : span >= 0.01 ? 4 : 6;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Fills of the bands, outermost first, and what each is. */
export const FAN_COLORS = {
  i95: '#ede9fe',
  i90: '#c4b5fd',
  i50: '#8b5cf6',
  median: '#4c1d95',
  close: '#0f172a',
  miss: '#dc2626',
} as const;

export interface FanChart extends PlotFrame {
  /** Polygons, outermost first: the 95% interval, the 90% band (p05 to p95), the 50% band (p25 to p75). */
  readonly bands: readonly { readonly name: 'i95' | 'i90' | 'i50'; readonly points: string }[];
  readonly median: string;
  readonly closes: string;
  /** The closes outside the 95% interval: where each is marked. */
  readonly outside: readonly {
    readonly openTime: string;
    readonly x: number;
    readonly y: number;
    readonly close: number;
  }[];
}

/** The held-out fan's bands, widest first: the 95% interval, the 90% (p05-p95) and the 50% (p25-p75). */
const HELD_OUT_BANDS: readonly {
  readonly name: FanChart['bands'][number]['name'];
  readonly lower: (hour: HeldOutHour) => number;
  readonly upper: (hour: HeldOutHour) => number;
}[] = [
  { name: 'i95', lower: (h) => h.i95.lower, upper: (h) => h.i95.upper },
  { name: 'i90', lower: (h) => h.quantiles.p05, upper: (h) => h.quantiles.p95 },
  { name: 'i50', lower: (h) => h.quantiles.p25, upper: (h) => h.quantiles.p75 },
];

/** The held-out fan: each hour's served bands, its median, the closes that followed, the misses marked. */
export function fanChart(hours: readonly HeldOutHour[]): FanChart {
  const times = hours.map((h) => Date.parse(h.open_time));
  const first = times[0] ?? 0;
  const last = times.at(-1) ?? first + HOUR_MS;
  const [low, high] = extent(
    hours.flatMap((h) => [h.i95.lower, h.i95.upper, h.close]),
    0.03,
  );
  const chart = frame([first, Math.max(last, first + HOUR_MS)], [low, high], dayTicks(first, last), (value) =>
    priceLabel(value, high - low),
  );
  const { x, y } = chart;
  const of = (read: (hour: HeldOutHour) => number): number[] => hours.map(read);
  return {
    ...chart,
    bands: HELD_OUT_BANDS.map(({ name, lower, upper }) => ({
      name,
      points: bandPoints(times, of(lower), of(upper), x.scale, y.scale),
    })),
    median: polylinePoints(
      times,
      of((h) => h.quantiles.p50),
      x.scale,
      y.scale,
    ),
    closes: polylinePoints(
      times,
      of((h) => h.close),
      x.scale,
      y.scale,
    ),
    outside: hours.flatMap((hour, i) =>
      hour.close >= hour.i95.lower && hour.close <= hour.i95.upper
        ? []
        : [
            {
              openTime: hour.open_time,
              x: x.scale(times[i] ?? 0),
              y: y.scale(hour.close),
              close: hour.close,
            },
          ],
    ),
  };
}
