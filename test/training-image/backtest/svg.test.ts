import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backtestSvg,
  escapeXml,
  niceTicks,
  niceTimeTicks,
  type BacktestChart,
} from '../../../training-image/src/backtest/svg.js';
import { findAll, parseXml, type XmlElement } from '../../support/xml.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2022, 2, 1);

/** Hours whose close the fixture puts outside its 95% band. */
const MISSES = [5, 17, 40];
const LEVELS = [0.1, 0.5, 0.8, 0.9, 0.95];

function chart(overrides: Partial<BacktestChart> = {}): BacktestChart {
  const n = 48;
  const actual = Array.from({ length: n }, (_, i) => 38_000 + 400 * Math.sin(i / 5));
  const openTimes = Array.from({ length: n }, (_, i) => T0 + i * HOUR);
  // Bands around the previous close; the misses' closes are moved 500 beyond the 95% one.
  const centre = actual.map((v, i) => actual[i - 1] ?? v);
  const band = (level: number, half: number) => ({
    level,
    lower: centre.map((c) => c - half),
    upper: centre.map((c) => c + half),
  });
  const fanActual = actual.map((v, i) => (MISSES.includes(i) ? centre[i]! + 300 + 500 : v));
  return {
    title: 'BTC/USDT walk-forward backtest, residual target: overall skill 0.012',
    subtitle: 'MAE 205 < naive 207 & more',
    seriesTitle: 'Fold 3 of 3',
    priceLabel: 'close (USDT)',
    series: {
      openTimes: Array.from({ length: n }, (_, i) => T0 + i * HOUR),
      actual,
      predicted: actual.map((v) => v + 25),
      naive: actual.map((v, i) => actual[i - 1] ?? v),
    },
    bars: [
      { label: 'fold 1', skill: 0.05 },
      { label: 'fold 2', skill: -0.08 },
      { label: 'fold 3', skill: 0.01 },
      { label: 'all folds', skill: -0.004, pooled: true },
    ],
    fan: {
      title: 'Fold 3 of 3: the served intervals',
      priceLabel: 'close (USDT)',
      openTimes,
      actual: fanActual,
      bands: [band(0.8, 150), band(0.95, 300)],
    },
    calibration: {
      title: 'Calibration',
      levels: LEVELS,
      curves: [
        { name: 'model', label: 'served model', colour: '#1c7ed6', observed: LEVELS.map((l) => 100 * l) },
        { name: 'b1', label: 'B1', colour: '#8c959f', observed: LEVELS.map((l) => 80 * l) },
      ],
      notes: ['CRPS skill vs B1: model +0.50%'],
    },
    ...overrides,
  };
}

const texts = (svg: XmlElement): string[] => findAll(svg, 'text').map((t) => t.text);
const byClass = (svg: XmlElement, name: string, cls: string): XmlElement[] =>
  findAll(svg, name).filter((e) => (e.attributes['class'] ?? '').split(' ').includes(cls));

describe('backtestSvg', () => {
  it('is a well-formed SVG document with the title', () => {
    const svg = parseXml(backtestSvg(chart()));

    assert.equal(svg.name, 'svg');
    assert.equal(svg.attributes['xmlns'], 'http://www.w3.org/2000/svg');
    assert.equal(findAll(svg, 'title')[0]?.text, chart().title);
    assert.ok(texts(svg).includes('MAE 205 < naive 207 & more'), 'text is escaped, and reads back');
  });

  it('draws actual, predicted and naive closes as polylines with one point per forecast', () => {
    const svg = parseXml(backtestSvg(chart()));

    for (const name of ['actual', 'predicted', 'naive']) {
      const [line, ...more] = byClass(svg, 'polyline', name);
      assert.ok(line, name);
      assert.equal(more.length, 0);
      const points = (line.attributes['points'] ?? '').trim().split(/\s+/);
      assert.equal(points.length, 48, name);
      for (const point of points) assert.match(point, /^-?\d+(\.\d)?,-?\d+(\.\d)?$/);
    }
    const naive = byClass(svg, 'polyline', 'naive')[0]!;
    assert.ok(Number(naive.attributes['stroke-opacity']) < 1, 'the naive forecast is drawn lightly');
  });

  it('draws the later point to the right and the higher price above', () => {
    const svg = parseXml(backtestSvg(chart()));
    const points = (byClass(svg, 'polyline', 'predicted')[0]!.attributes['points'] ?? '')
      .split(' ')
      .map((p) => p.split(',').map(Number) as [number, number]);
    const xs = points.map(([x]) => x);
    assert.deepEqual(
      xs,
      [...xs].sort((a, b) => a - b),
    );
    const predicted = chart().series.predicted as number[];
    const hi = predicted.indexOf(Math.max(...predicted));
    const lo = predicted.indexOf(Math.min(...predicted));
    assert.ok(points[hi]![1] < points[lo]![1], 'SVG y grows downwards');
  });

  it('labels the price axis with prices and the time axis with dates', () => {
    const labels = texts(parseXml(backtestSvg(chart())));

    assert.ok(labels.includes('close (USDT)'));
    assert.ok(
      labels.some((l) => /^3\d,\d00$/.test(l)),
      `a price tick such as 38,200 in ${labels.join(' | ')}`,
    );
    assert.ok(
      labels.some((l) => /^03-0[123] \d\d:00$/.test(l)),
      `a time tick in ${labels.join(' | ')}`,
    );
    assert.ok(labels.includes('open time of the forecast candle (UTC)'));
  });

  it('draws one bar per fold and the pooled one, each on the side of 0 its skill says, and the 0 line', () => {
    const svg = parseXml(backtestSvg(chart()));
    const bars = byClass(svg, 'rect', 'bar');
    const [zero] = byClass(svg, 'line', 'zero');

    assert.equal(bars.length, 4);
    assert.equal(byClass(svg, 'rect', 'pooled').length, 1);
    assert.ok(zero);
    const zeroY = Number(zero.attributes['y1']);
    chart().bars.forEach((bar, i) => {
      const rect = bars[i]!;
      const top = Number(rect.attributes['y']);
      const bottom = top + Number(rect.attributes['height']);
      if (bar.skill > 0) assert.ok(Math.abs(bottom - zeroY) < 0.2 && top < zeroY, bar.label);
      else assert.ok(Math.abs(top - zeroY) < 0.2 && bottom > zeroY, bar.label);
    });
    const labels = texts(svg);
    for (const expected of [
      'fold 1',
      'fold 2',
      'fold 3',
      'all folds',
      '0.0500',
      '−0.0800',
      '−0.0040',
      '0.00',
      '−0.05',
    ]) {
      assert.ok(labels.includes(expected), `${expected} in ${labels.join(' | ')}`);
    }
  });

  it('draws a chart of one point, flat prices, and a skill that is not a number', () => {
    const svg = parseXml(
      backtestSvg(
        chart({
          series: { openTimes: [T0], actual: [100], predicted: [100], naive: [100] },
          bars: [{ label: 'fold 1', skill: Number.NEGATIVE_INFINITY }],
        }),
      ),
    );

    assert.equal(byClass(svg, 'rect', 'bar').length, 0);
    assert.ok(texts(svg).includes('n/a'));
    assert.doesNotMatch(JSON.stringify(svg), /NaN|Infinity/);
  });

  it('draws the fan chart: the 80% band inside the 95% band, the actual closes, and a dot for each miss', () => {
    const svg = parseXml(backtestSvg(chart()));
    const ys = (polygon: XmlElement): number[] =>
      (polygon.attributes['points'] ?? '')
        .trim()
        .split(/\s+/)
        .map((p) => Number(p.split(',')[1]));

    const [wide, ...moreWide] = byClass(svg, 'polygon', 'band-95');
    const [narrow, ...moreNarrow] = byClass(svg, 'polygon', 'band-80');
    assert.ok(wide && narrow && moreWide.length === 0 && moreNarrow.length === 0);
    // Upper edge left to right, then the lower edge back: two points per hour.
    assert.equal(ys(wide).length, 2 * 48);
    assert.equal(ys(narrow).length, 2 * 48);
    for (let i = 0; i < 48; i += 1) {
      assert.ok(ys(wide)[i]! < ys(narrow)[i]!, `hour ${i}: the 95% upper edge is above the 80% one`);
      assert.ok(ys(wide)[2 * 48 - 1 - i]! > ys(narrow)[2 * 48 - 1 - i]!, `hour ${i}: lower edges`);
    }
    const actual = byClass(svg, 'polyline', 'fan-actual');
    assert.equal(actual.length, 1);
    assert.equal((actual[0]!.attributes['points'] ?? '').trim().split(/\s+/).length, 48);
    assert.equal(byClass(svg, 'circle', 'miss').length, MISSES.length);
    const labels = texts(svg);
    for (const expected of ['served 80% interval', 'served 95% interval', 'close outside the 95% interval']) {
      assert.ok(labels.includes(expected), expected);
    }
  });

  it('draws the calibration plot: the diagonal, one curve per forecaster, a calibrated curve on the diagonal', () => {
    const svg = parseXml(backtestSvg(chart()));
    const [diagonal] = byClass(svg, 'line', 'diagonal');
    assert.ok(diagonal);
    const at = (name: 'x1' | 'y1' | 'x2' | 'y2'): number => Number(diagonal.attributes[name]);
    // From 0% nominal / 0% observed (bottom left) to 100% / 100% (top right), on a square.
    assert.ok(at('x2') > at('x1') && at('y2') < at('y1'));
    assert.ok(Math.abs(at('x2') - at('x1') - (at('y1') - at('y2'))) < 0.2, 'a square plot');
    const onDiagonal = (x: number, y: number): boolean =>
      Math.abs((x - at('x1')) / (at('x2') - at('x1')) - (y - at('y1')) / (at('y2') - at('y1'))) < 1e-3;

    const model = byClass(svg, 'circle', 'model');
    const b1 = byClass(svg, 'circle', 'b1');
    assert.equal(model.length, LEVELS.length);
    assert.equal(b1.length, LEVELS.length);
    assert.equal(byClass(svg, 'polyline', 'coverage').length, 2);
    const centre = (c: XmlElement): [number, number] => [
      Number(c.attributes['cx']),
      Number(c.attributes['cy']),
    ];
    for (const point of model)
      assert.ok(onDiagonal(...centre(point)), 'observed = nominal lies on the diagonal');
    for (const point of b1) assert.ok(!onDiagonal(...centre(point)), 'under-covering lies off it');
    assert.ok(texts(svg).includes('CRPS skill vs B1: model +0.50%'));
    assert.ok(texts(svg).includes('nominal coverage of the central interval'));
  });

  it('refuses series of different lengths', () => {
    const bad = chart();
    assert.throws(
      () => backtestSvg({ ...bad, series: { ...bad.series, naive: [1, 2] } }),
      /48 times but 2 naive values/,
    );
    assert.throws(
      () => backtestSvg({ ...bad, fan: { ...bad.fan, bands: [{ level: 0.8, lower: [1], upper: [2] }] } }),
      /48 times but a 0.8 band of 1/,
    );
  });
});

describe('axis ticks', () => {
  it('steps prices by 1, 2 or 5 x 10^k inside the range', () => {
    assert.deepEqual(niceTicks(37_580, 38_430, 6), {
      step: 200,
      values: [37_600, 37_800, 38_000, 38_200, 38_400],
    });
    assert.deepEqual(niceTicks(-0.083, 0.052, 4), { step: 0.05, values: [-0.05, 0, 0.05] });
    assert.deepEqual(niceTicks(0.1, 0.7, 6).values, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  });

  it('steps times by whole UTC hours or days, at most 8 ticks', () => {
    assert.deepEqual(niceTimeTicks(T0 + 30 * 60_000, T0 + 47 * HOUR), {
      step: 6 * HOUR,
      values: [6, 12, 18, 24, 30, 36, 42].map((h) => T0 + h * HOUR),
    });
    const month = niceTimeTicks(T0, T0 + 36 * 24 * HOUR);
    assert.equal(month.step, 7 * 24 * HOUR);
    assert.ok(month.values.length <= 8 && month.values.every((t) => t % (24 * HOUR) === 0));
  });

  it('escapes the five XML special characters', () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});

describe('the XML reader these tests rely on', () => {
  it('refuses what is not well-formed', () => {
    for (const bad of [
      '<svg><g></svg></g>',
      '<svg><g></svg>',
      '<svg a=1/>',
      '<svg a="1" a="2"/>',
      '<svg>a & b</svg>',
      '<svg>a < b</svg>',
      '<svg/><svg/>',
      'text<svg/>',
    ]) {
      assert.throws(() => parseXml(bad), SyntaxError, bad);
    }
    assert.equal(parseXml('<svg><t x="&lt;1">a &amp; b</t></svg>').children[0]?.text, 'a & b');
  });
});
