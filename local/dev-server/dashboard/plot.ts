/**
 * The geometry of the dashboard's SVG charts (learning curves, the held-out fan): linear scales, round
 * ticks, polyline and band points. Pure, without the DOM: the page draws with it, and the page test
 * reads the drawn points back through the same scales (each chart carries its domain and range), so it
 * compares what is drawn with the API's numbers.
 */

/** A linear map from data values to pixels, and back. */
export interface LinearScale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  (value: number): number;
  invert(pixel: number): number;
}

export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // A flat domain (one value) maps to the middle of the range instead of dividing by zero.
  const span = d1 - d0;
  const map = (value: number): number =>
    span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0);
  const invert = (pixel: number): number => (r1 === r0 ? d0 : d0 + ((pixel - r0) / (r1 - r0)) * span);
  return Object.assign(map, { domain, range, invert });
}

/** The smallest and largest of `values`, widened by `pad` of their span on each side (a flat set by 1%). */
export function extent(values: Iterable<number>, pad = 0.04): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (low === Infinity) return [0, 1];
  const span = high - low || Math.abs(high) * 0.01 || 1;
  return [low - pad * span, high + pad * span];
}

/** About `count` round values inside [min, max]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

/** One decimal: enough for a pixel, short enough for a page of a thousand points. */
const px = (value: number): string => (Math.round(value * 10) / 10).toString();

/** An SVG `points` attribute of (x, y) pairs. */
export function polylinePoints(
  xs: readonly number[],
  ys: readonly number[],
  x: LinearScale,
  y: LinearScale,
): string {
  return xs.map((value, i) => `${px(x(value))},${px(y(ys[i] ?? NaN))}`).join(' ');
}

/** A band's polygon: along its upper edge left to right, then back along its lower edge. */
export function bandPoints(
  xs: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
  x: LinearScale,
  y: LinearScale,
): string {
  const top = xs.map((value, i) => `${px(x(value))},${px(y(upper[i] ?? NaN))}`);
  const bottom = xs.map((value, i) => `${px(x(value))},${px(y(lower[i] ?? NaN))}`).reverse();
  return [...top, ...bottom].join(' ');
}

/** The (x, y) pairs of an SVG `points` attribute. */
export function parsePoints(points: string): [number, number][] {
  return points
    .trim()
    .split(/\s+/)
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [a = 'NaN', b = 'NaN'] = pair.split(',');
      return [Number(a), Number(b)];
    });
}
