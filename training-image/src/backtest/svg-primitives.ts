/**
 * The hand-written SVG's drawing parts (axes ticks, scales, text, lines), shared by the backtest's
 * panels so every panel draws numbers, times and labels the same way.
 */

/** The picture's width and the margins every panel's plot area keeps. */
export const WIDTH = 1000;
export const LEFT = 96;
export const RIGHT = 32;

/** A panel's plot area, top to bottom, in SVG units. */
export interface Band {
  readonly top: number;
  readonly bottom: number;
}

/** One palette for every panel. */
export const COLOURS = {
  actual: '#1f2328',
  predicted: '#d9480f',
  naive: '#8c959f',
  grid: '#e6e8eb',
  better: '#2f9e44',
  worse: '#e03131',
  pooled: '#495057',
  /** The served intervals: the 95% band lighter than the 80% one drawn over it. */
  band: '#1c7ed6',
  uncalibrated: '#f08c00',
  muted: '#57606a',
} as const;

/** `[lo, hi]` widened by `share` of the span each side, or around the value when they are equal. */
export function padded(lo: number, hi: number, share: number): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  const span = hi - lo;
  const pad = span > 0 ? span * share : Math.max(Math.abs(lo) * 0.01, 0.01);
  return [lo - pad, hi + pad];
}

export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** Ticks at multiples of 1, 2 or 5 x 10^k inside [lo, hi], about `target` of them. */
export function niceTicks(lo: number, hi: number, target: number): { step: number; values: number[] } {
  const raw = (hi - lo) / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const values: number[] = [];
  // Rounded to the step's decimals so that 0.30000000000000004 reads 0.3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    values.push(Number(v.toFixed(decimals)));
  }
  return { step, values };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIME_STEPS = [1, 2, 3, 6, 12]
  .map((h) => h * HOUR)
  .concat([1, 2, 7, 14, 28, 56, 91, 182].map((d) => d * DAY));

/** Ticks at UTC multiples of an hour or day count, at most 8 of them. */
export function niceTimeTicks(t0: number, t1: number): { step: number; values: number[] } {
  const step = TIME_STEPS.find((s) => (t1 - t0) / s <= 8) ?? 365 * DAY;
  const values: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) values.push(t);
  return { step, values };
}

export function formatTime(ms: number, step: number): string {
  const iso = new Date(ms).toISOString();
  return step < DAY ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

export function formatNumber(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const text = Math.abs(value).toFixed(decimals);
  const [whole, fraction] = text.split('.');
  const grouped = (whole ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 && Number(text) !== 0 ? '−' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

export function fixed(v: number): string {
  return v.toFixed(1);
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1): string {
  return `<line x1="${fixed(x1)}" y1="${fixed(y1)}" x2="${fixed(x2)}" y2="${fixed(y2)}" stroke="${stroke}" stroke-width="${width}"/>`;
}

export function polyline(
  name: string,
  points: string,
  stroke: string,
  width: number,
  opacity: number,
): string {
  return `<polyline class="${name}" points="${points}" fill="none" stroke="${stroke}" stroke-width="${width}" stroke-opacity="${opacity}" stroke-linejoin="round"/>`;
}

export interface TextStyle {
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly size?: number;
  readonly weight?: 'bold';
  readonly fill?: string;
  /** Reads bottom to top, for a vertical axis title. */
  readonly rotate?: boolean;
}

export function text(x: number, y: number, content: string, style: TextStyle = {}): string {
  const attributes = [
    `x="${fixed(x)}"`,
    `y="${fixed(y)}"`,
    ...(style.anchor === undefined ? [] : [`text-anchor="${style.anchor}"`]),
    ...(style.size === undefined ? [] : [`font-size="${style.size}"`]),
    ...(style.weight === undefined ? [] : [`font-weight="${style.weight}"`]),
    `fill="${style.fill ?? COLOURS.actual}"`,
    ...(style.rotate === true ? [`transform="rotate(-90 ${fixed(x)} ${fixed(y)})"`] : []),
  ];
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** Horizontal gridlines at about `target` nice values in [lo, hi], each labelled on the left margin. */
export function valueGridlines(lo: number, hi: number, target: number, y: (v: number) => number): string[] {
  const ticks = niceTicks(lo, hi, target);
  return ticks.values.flatMap((tick) => [
    line(LEFT, y(tick), WIDTH - RIGHT, y(tick), COLOURS.grid),
    text(LEFT - 8, y(tick) + 4, formatNumber(tick, ticks.step), { anchor: 'end' }),
  ]);
}

/** What a price-over-time panel shows; timeSeriesFrame draws everything but the series themselves. */
export interface TimeSeriesFrame {
  readonly title: string;
  /** Name of the price axis, e.g. `close (USDT)`. */
  readonly priceLabel: string;
  /** Name of the time axis, written under its tick labels; absent: none. */
  readonly timeLabel?: string;
  /** Open time of each point, ms since the epoch (UTC), ascending; at least one. */
  readonly openTimes: ArrayLike<number>;
  /** Every value the panel plots: the price axis spans the finite ones, with 5% to spare each side. */
  readonly values: readonly number[];
}

/**
 * The frame of a price-over-time panel in `area` (the price panel, the fan chart), so both read the same:
 * the title, price and time gridlines with their labels, the axes and the axis names. Returns the
 * scales the series are then drawn with, and the frame's elements in drawing order.
 */
export function timeSeriesFrame(
  area: Band,
  frame: TimeSeriesFrame,
): { x: (t: number) => number; y: (v: number) => number; parts: string[] } {
  const n = frame.openTimes.length;
  const t0 = frame.openTimes[0]!;
  const t1 = frame.openTimes[n - 1]!;
  const finite = frame.values.filter(Number.isFinite);
  const [lo, hi] = padded(Math.min(...finite), Math.max(...finite), 0.05);
  const y = scale(lo, hi, area.bottom, area.top);
  // A single point has no time span to scale: it sits mid-plot.
  const x = t1 > t0 ? scale(t0, t1, LEFT, WIDTH - RIGHT) : () => (LEFT + WIDTH - RIGHT) / 2;
  const parts = [
    text(LEFT, area.top - 32, frame.title, { size: 14, weight: 'bold' }),
    ...valueGridlines(lo, hi, 6, y),
  ];
  const timeTicks = niceTimeTicks(t0, t1);
  for (const tick of timeTicks.values) {
    parts.push(line(x(tick), area.top, x(tick), area.bottom, COLOURS.grid));
    parts.push(text(x(tick), area.bottom + 18, formatTime(tick, timeTicks.step), { anchor: 'middle' }));
  }
  parts.push(line(LEFT, area.bottom, WIDTH - RIGHT, area.bottom, COLOURS.actual));
  parts.push(line(LEFT, area.top, LEFT, area.bottom, COLOURS.actual));
  if (frame.timeLabel !== undefined) {
    parts.push(
      text(LEFT + (WIDTH - LEFT - RIGHT) / 2, area.bottom + 38, frame.timeLabel, { anchor: 'middle' }),
    );
  }
  parts.push(text(20, (area.top + area.bottom) / 2, frame.priceLabel, { anchor: 'middle', rotate: true }));
  return { x, y, parts };
}
