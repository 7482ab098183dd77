/**
 * The backtest picture's distribution panels: a fan chart of the served intervals around the actual
 * closes, and a calibration plot of observed against nominal coverage of central intervals.
 *
 * Coverage rather than a PIT histogram: "the 80% interval held the close 78% of the time" is read off
 * the plot in the words the product's intervals are sold in, and the diagonal says at a glance what
 * right looks like; a PIT histogram asks the reader to know that flat is good, a U too narrow and a
 * hump too wide.
 */
import {
  COLOURS,
  LEFT,
  escapeXml,
  fixed,
  line,
  polyline,
  scale,
  text,
  timeSeriesFrame,
  type Band,
  type TextStyle,
} from './svg-primitives.js';

/** The served central interval of each forecast hour's close at one level. */
export interface FanBand {
  readonly level: number;
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
}

export interface FanChart {
  readonly title: string;
  readonly priceLabel: string;
  /** Open time of each forecast candle, ms since the epoch (UTC), ascending. */
  readonly openTimes: ArrayLike<number>;
  readonly actual: ArrayLike<number>;
  /** Narrowest first or not: drawn widest first, so the narrow band sits on top. */
  readonly bands: readonly FanBand[];
}

export interface CoverageCurve {
  /** A CSS class for the curve (model, uncalibrated, b1). */
  readonly name: string;
  readonly label: string;
  readonly colour: string;
  /** Observed coverage at each of the chart's levels, in percent. */
  readonly observed: readonly number[];
}

export interface CalibrationChart {
  readonly title: string;
  /** Nominal levels of the central intervals, in (0, 1). */
  readonly levels: readonly number[];
  readonly curves: readonly CoverageCurve[];
  /** Lines of figures written beside the plot. */
  readonly notes: readonly string[];
}

export function fanPanel(chart: FanChart, area: Band): string[] {
  const n = chart.openTimes.length;
  for (const band of chart.bands) {
    if (band.lower.length !== n || band.upper.length !== n) {
      throw new RangeError(`fanPanel: ${n} times but a ${band.level} band of ${band.lower.length}`);
    }
  }
  if (chart.actual.length !== n || n === 0)
    throw new RangeError(`fanPanel: ${n} times, ${chart.actual.length} closes`);
  const bands = [...chart.bands].sort((a, b) => b.level - a.level);
  const { x, y, parts } = timeSeriesFrame(area, {
    title: chart.title,
    priceLabel: chart.priceLabel,
    openTimes: chart.openTimes,
    values: [chart.actual, ...bands.flatMap((b) => [b.lower, b.upper])].flatMap((v) => Array.from(v)),
  });
  const at = (i: number, v: number): string => `${fixed(x(chart.openTimes[i]!))},${fixed(y(v))}`;
  bands.forEach((band, rank) => {
    const upper = Array.from(band.upper, (v, i) => at(i, v));
    const lower = Array.from(band.lower, (v, i) => at(i, v)).reverse();
    // The widest band faintest; each narrower one darker over it.
    const opacity = 0.18 + 0.17 * rank;
    const pct = Math.round(100 * band.level);
    parts.push(
      `<polygon class="band band-${pct}" points="${[...upper, ...lower].join(' ')}" fill="${COLOURS.band}" fill-opacity="${opacity.toFixed(2)}" stroke="none"><title>${pct}% interval of the next close</title></polygon>`,
    );
  });
  parts.push(
    polyline('fan-actual', Array.from(chart.actual, (v, i) => at(i, v)).join(' '), COLOURS.actual, 1.2, 1),
  );
  // Closes outside the widest interval: the misses a reader should be able to count.
  const widest = bands[0];
  if (widest !== undefined) {
    for (let i = 0; i < n; i += 1) {
      const v = chart.actual[i]!;
      if (v < widest.lower[i]! || v > widest.upper[i]!) {
        parts.push(
          `<circle class="miss" cx="${fixed(x(chart.openTimes[i]!))}" cy="${fixed(y(v))}" r="2.5" fill="${COLOURS.worse}"/>`,
        );
      }
    }
  }
  const legend: { label: string; swatch: string }[] = [
    { label: 'actual close', swatch: line(0, -4, 22, -4, COLOURS.actual, 2) },
    ...bands.map((band, rank) => ({
      label: `served ${Math.round(100 * band.level)}% interval`,
      swatch: `<rect x="0" y="-10" width="22" height="10" fill="${COLOURS.band}" fill-opacity="${(0.18 + 0.17 * rank).toFixed(2)}"/>`,
    })),
    ...(widest === undefined
      ? []
      : [
          {
            label: `close outside the ${Math.round(100 * widest.level)}% interval`,
            swatch: `<circle cx="11" cy="-4" r="2.5" fill="${COLOURS.worse}"/>`,
          },
        ]),
  ];
  legend.forEach((item, i) => {
    const lx = LEFT + i * 200;
    const ly = area.top - 10;
    parts.push(`<g transform="translate(${fixed(lx)} ${fixed(ly)})">${item.swatch}</g>`);
    parts.push(text(lx + 28, ly, item.label));
  });
  return parts;
}

/** Square plot on the left, its key and figures on the right. */
export function calibrationPanel(chart: CalibrationChart, area: Band): string[] {
  for (const curve of chart.curves) {
    if (curve.observed.length !== chart.levels.length) {
      throw new RangeError(
        `calibrationPanel: ${chart.levels.length} levels, ${curve.observed.length} for ${curve.name}`,
      );
    }
  }
  const size = area.bottom - area.top;
  const right = LEFT + size;
  const x = scale(0, 100, LEFT, right);
  const y = scale(0, 100, area.bottom, area.top);
  const out = [text(LEFT, area.top - 32, chart.title, { size: 14, weight: 'bold' })];
  for (let tick = 0; tick <= 100; tick += 20) {
    out.push(line(LEFT, y(tick), right, y(tick), COLOURS.grid));
    out.push(line(x(tick), area.top, x(tick), area.bottom, COLOURS.grid));
    out.push(text(LEFT - 8, y(tick) + 4, `${tick}%`, { anchor: 'end' }));
    out.push(text(x(tick), area.bottom + 18, `${tick}%`, { anchor: 'middle' }));
  }
  out.push(line(LEFT, area.bottom, right, area.bottom, COLOURS.actual));
  out.push(line(LEFT, area.top, LEFT, area.bottom, COLOURS.actual));
  out.push(
    text((LEFT + right) / 2, area.bottom + 38, 'nominal coverage of the central interval', {
      anchor: 'middle',
    }),
  );
  out.push(
    text(20, (area.top + area.bottom) / 2, 'share of closes inside it', { anchor: 'middle', rotate: true }),
  );
  out.push(
    `<line class="diagonal" x1="${fixed(x(0))}" y1="${fixed(y(0))}" x2="${fixed(x(100))}" y2="${fixed(y(100))}" stroke="${COLOURS.muted}" stroke-width="1" stroke-dasharray="5 4"/>`,
  );
  for (const curve of chart.curves) {
    const points = chart.levels.map((level, i) => `${fixed(x(100 * level))},${fixed(y(curve.observed[i]!))}`);
    out.push(polyline(`coverage ${curve.name}`, points.join(' '), curve.colour, 1.6, 1));
    chart.levels.forEach((level, i) => {
      const observed = curve.observed[i]!;
      out.push(
        `<circle class="coverage-point ${curve.name}" cx="${fixed(x(100 * level))}" cy="${fixed(y(observed))}" r="3" fill="${curve.colour}"><title>${escapeXml(`${curve.label}: ${Math.round(100 * level)}% interval held ${observed.toFixed(1)}% of closes`)}</title></circle>`,
      );
    });
  }
  // The key and the reading rule, then the figures, in the column beside the square.
  const kx = right + 48;
  let ky = area.top + 4;
  const row = (content: string, style: TextStyle = {}): void => {
    out.push(text(kx, ky, content, style));
    ky += 20;
  };
  for (const curve of chart.curves) {
    out.push(line(kx, ky - 4, kx + 22, ky - 4, curve.colour, 2));
    out.push(text(kx + 28, ky, curve.label));
    ky += 20;
  }
  out.push(
    `<line x1="${fixed(kx)}" y1="${fixed(ky - 4)}" x2="${fixed(kx + 22)}" y2="${fixed(ky - 4)}" stroke="${COLOURS.muted}" stroke-dasharray="5 4"/>`,
  );
  out.push(text(kx + 28, ky, 'perfect calibration: holds exactly what it claims'));
  ky += 28;
  row('On the diagonal: an interval claiming 80% holds 80% of closes.', { fill: COLOURS.muted });
  row('Below it: intervals too narrow (overconfident); above: wider than needed.', {
    fill: COLOURS.muted,
  });
  ky += 8;
  for (const note of chart.notes) row(note);
  return out;
}
