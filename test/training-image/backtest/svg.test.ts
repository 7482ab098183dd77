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

function chart(overrides: Partial<BacktestChart> = {}): BacktestChart {
  const n = 48;
  const actual = Array.from({ length: n }, (_, i) => 38_000 + 400 * Math.sin(i / 5));
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

  it('refuses series of different lengths', () => {
    const bad = chart();
    assert.throws(
      () => backtestSvg({ ...bad, series: { ...bad.series, naive: [1, 2] } }),
      /48 times but 2 naive values/,
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
