/**
 * The local stack's dashboard at `/`: for each served pair, a candlestick chart of the window the model
 * read, the predicted next close marked on it, the change, the model's test error beside the naive
 * forecast's, and the model's age, labelled stale past the limit. The page reads the API itself
 * (/models, then /predict?...&include=candles per pair) with an API key the server writes into it:
 * acceptable only because the adapter listens on loopback and the page is served by the local stack
 * alone; the deployed API has no dashboard. The chart library (lightweight-charts, from node_modules)
 * is served by the same server: the page needs no CDN.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { PageHandler } from './adapter.js';

export const CHART_LIBRARY_URL = '/assets/lightweight-charts.js';

/** The standalone build: one script that defines window.LightweightCharts (v5 API). */
export function chartLibraryPath(): string {
  // The package's exports map hides dist/, but exports package.json; the build sits beside it.
  const manifest = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
  return join(dirname(manifest), 'dist', 'lightweight-charts.standalone.production.js');
}

export interface DashboardOptions {
  /** The key the page sends in x-api-key. */
  readonly apiKey: string;
  /** A line under the title, such as where the candles come from. */
  readonly note?: string;
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, ' ');
}

const STYLE = `
  :root { color-scheme: light; --up: #16a34a; --down: #dc2626; --muted: #64748b; --line: #e2e8f0; --accent: #7c3aed; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #0f172a; background: #f8fafc; }
  header { padding: 16px 24px; border-bottom: 1px solid var(--line); background: #fff; }
  h1 { margin: 0; font-size: 20px; }
  header p { margin: 4px 0 0; color: var(--muted); }
  main { padding: 16px 24px; display: grid; gap: 16px; }
  .pair { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; display: grid;
    grid-template-columns: minmax(0, 1fr) 320px; gap: 16px; }
  .pair h2 { margin: 0 0 8px; font-size: 18px; grid-column: 1 / -1; }
  .chart { height: 340px; min-width: 0; }
  .side dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0 0 12px; }
  .side dt { color: var(--muted); }
  .side dd { margin: 0; font-variant-numeric: tabular-nums; text-align: right; }
  .big { font-size: 22px; font-weight: 600; }
  .up { color: var(--up); } .down { color: var(--down); }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .verdict { margin: 8px 0 0; padding: 8px; border-radius: 6px; background: #f1f5f9; }
  .verdict.bad { background: #fef2f2; color: #991b1b; }
  .verdict.good { background: #f0fdf4; color: #166534; }
  .error { color: #991b1b; grid-column: 1 / -1; }
  .muted { color: var(--muted); font-size: 12px; }
  footer { padding: 0 24px 24px; color: var(--muted); font-size: 12px; }
  @media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
`;

/*
 * The page's script, plain ES2020 for the browser. Kept free of template literals so that it can live
 * in this module's template string; the page test in test/functions/local runs it in Chromium.
 */
const SCRIPT = `
(function () {
  'use strict';
  var config = window.DASHBOARD;
  var LC = window.LightweightCharts;
  var main = document.getElementById('pairs');
  var status = document.getElementById('status');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function decimals(price) { return Math.abs(price) >= 1000 ? 2 : Math.abs(price) >= 1 ? 4 : 6; }
  function money(value, reference) {
    var d = decimals(reference === undefined ? value : reference);
    return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function signed(value, reference) { return (value >= 0 ? '+' : '\u2212') + money(Math.abs(value), reference); }
  function utc(iso) { return iso.slice(0, 16).replace('T', ' ') + ' UTC'; }
  function seconds(iso) { return Math.floor(Date.parse(iso) / 1000); }
  function duration(s) { return s < 3600 ? Math.floor(s / 60) + ' min' : s < 172800 ? (s / 3600).toFixed(1) + ' h' : (s / 86400).toFixed(1) + ' days'; }
  function staleLabel(model) {
    if (!model.stale) return null;
    return el('p', { class: 'verdict bad stale', text: 'Stale: trained ' + duration(model.age_seconds) + ' ago, over the limit of ' + duration(model.stale_after_seconds) + '; training has not renewed it. It still answers.' });
  }

  async function get(path) {
    var response = await fetch(path, { headers: { 'x-api-key': config.apiKey, accept: 'application/json' } });
    var body = await response.json().catch(function () { return null; });
    if (!response.ok) {
      var message = body && body.error ? body.error.message : 'HTTP ' + response.status;
      throw new Error(message);
    }
    return body;
  }

  function verdict(metrics) {
    var skill = metrics.skill;
    if (skill === null) return el('p', { class: 'verdict', text: 'Skill undefined: the naive forecast made no error on the test windows.' });
    var ratio = metrics.test_mae / metrics.naive_mae;
    if (skill < 0) {
      return el('p', { class: 'verdict bad', text: 'Worse than predicting no change: on its test windows this model\u2019s error is ' + ratio.toFixed(2) + '\u00d7 that of "next close = last close".' });
    }
    return el('p', { class: 'verdict good', text: 'Better than predicting no change: its error is ' + (100 * skill).toFixed(1) + '% below that of "next close = last close".' });
  }

  function metricsTable(metrics, reference) {
    var rows = [
      ['This model', money(metrics.test_mae, reference)],
      ['Naive (next close = last close)', money(metrics.naive_mae, reference)],
    ];
    var skill = metrics.skill === null ? 'undefined' : (metrics.skill < 0 ? '\u2212' : '') + Math.abs(metrics.skill).toFixed(3);
    return el('table', {}, [
      el('thead', {}, [el('tr', {}, [el('th', { text: 'Forecast' }), el('th', { text: 'Test MAE' })])]),
      el('tbody', {}, rows.map(function (row) {
        return el('tr', {}, [el('td', { text: row[0] }), el('td', { text: row[1] })]);
      })),
      el('tfoot', {}, [el('tr', {}, [el('th', { text: 'Skill (1 \u2212 model / naive)' }), el('th', { class: metrics.skill !== null && metrics.skill < 0 ? 'down' : 'up', text: skill })])]),
    ]);
  }

  function drawChart(container, answer) {
    var chart = LC.createChart(container, {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#334155', attributionLogo: true },
      grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
      timeScale: { timeVisible: true, secondsVisible: false, rightOffset: 2 },
      rightPriceScale: { borderColor: '#e2e8f0' },
    });
    var candles = chart.addSeries(LC.CandlestickSeries, {
      upColor: '#16a34a', downColor: '#dc2626', borderVisible: false,
      wickUpColor: '#16a34a', wickDownColor: '#dc2626',
    });
    candles.setData(answer.candles.map(function (c) {
      return { time: seconds(c.open_time), open: c.open, high: c.high, low: c.low, close: c.close };
    }));
    var predicted = answer.prediction.close;
    // A dashed segment from the last close to the predicted one, ending in a marker on the next hour.
    var forecast = chart.addSeries(LC.LineSeries, {
      color: '#7c3aed', lineWidth: 2, lineStyle: LC.LineStyle.Dashed,
      lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false,
    });
    var nextTime = seconds(answer.prediction.open_time);
    forecast.setData([
      { time: seconds(answer.last_candle.open_time), value: answer.last_candle.close },
      { time: nextTime, value: predicted },
    ]);
    LC.createSeriesMarkers(forecast, [{
      time: nextTime, position: 'atPriceMiddle', price: predicted, shape: 'circle', color: '#7c3aed',
    }]);
    candles.createPriceLine({
      price: predicted, color: '#7c3aed', lineWidth: 1, lineStyle: LC.LineStyle.Dotted,
      axisLabelVisible: true, title: 'predicted',
    });
    chart.timeScale().fitContent();
    return chart;
  }

  function card(pair) {
    var node = el('section', { class: 'pair', 'data-pair': pair, 'data-state': 'loading' }, [
      el('h2', { text: pair }),
    ]);
    main.appendChild(node);
    return node;
  }

  function showError(node, message) {
    node.appendChild(el('p', { class: 'error', text: message }));
    node.setAttribute('data-state', 'error');
  }

  async function showPair(node, pair) {
    var parts = pair.split('/');
    var answer = await get('/predict?currency=' + encodeURIComponent(parts[0]) + '&compare=' + encodeURIComponent(parts[1]) + '&include=candles');
    var last = answer.last_candle.close;
    var change = answer.change;
    var direction = change.absolute >= 0 ? 'up' : 'down';
    var chartBox = el('div', { class: 'chart', 'aria-label': pair + ' candles and predicted close' });
    var m = answer.model.metrics;
    var lagHours = (Date.now() - Date.parse(answer.last_candle.close_time)) / 3600000;
    node.appendChild(chartBox);
    node.appendChild(el('div', { class: 'side' }, [
      el('dl', {}, [
        el('dt', { text: 'Predicted close' }), el('dd', { class: 'big', text: money(answer.prediction.close, last) }),
        el('dt', { text: 'Change' }), el('dd', { class: direction, text: signed(change.absolute, last) + ' (' + (change.percent >= 0 ? '+' : '\u2212') + Math.abs(change.percent).toFixed(2) + '%)' }),
        el('dt', { text: 'For the candle' }), el('dd', { text: utc(answer.prediction.open_time) + ' \u2192 ' + answer.prediction.close_time.slice(11, 16) }),
        el('dt', { text: 'Last close' }), el('dd', { text: money(last) + ' at ' + utc(answer.last_candle.close_time) }),
        el('dt', { text: 'Direction right' }), el('dd', { text: (100 * m.direction_accuracy).toFixed(1) + '% of ' + m.test_windows + ' test windows' }),
        el('dt', { text: 'Model age' }), el('dd', answer.model.stale ? { class: 'down', text: duration(answer.model.age_seconds) + ', stale' } : { text: duration(answer.model.age_seconds) }),
      ]),
      staleLabel(answer.model),
      metricsTable(m, last),
      verdict(m),
      el('p', { class: 'muted', text: 'Model ' + answer.model.version + ', trained ' + utc(answer.model.trained_at) + ', window of ' + answer.model.sequence_length + ' candles.' + (lagHours > 2 ? ' The candles end at ' + utc(answer.last_candle.close_time) + ', not in the last hour: the forecast is for the hour after them.' : '') }),
    ]));
    drawChart(chartBox, answer);
    node.setAttribute('data-state', 'ready');
  }

  async function main_() {
    var models;
    try {
      models = await get('/models');
    } catch (error) {
      status.textContent = 'Could not list the models: ' + error.message;
      document.body.setAttribute('data-state', 'error');
      return;
    }
    var unavailable = {};
    models.unavailable.forEach(function (u) { unavailable[u.pair] = u.error.message; });
    var pairs = models.models.map(function (m) { return m.pair; }).concat(Object.keys(unavailable));
    if (pairs.length === 0) {
      status.textContent = 'No model is published yet.';
      document.body.setAttribute('data-state', 'ready');
      return;
    }
    await Promise.all(pairs.map(function (pair) {
      var node = card(pair);
      if (unavailable[pair] !== undefined) { showError(node, unavailable[pair]); return null; }
      return showPair(node, pair).catch(function (error) { showError(node, error.message); });
    }));
    status.textContent = pairs.length + (pairs.length === 1 ? ' pair' : ' pairs') + ', updated ' + new Date().toISOString().slice(11, 16) + ' UTC';
    document.body.setAttribute('data-state', 'ready');
  }

  main_();
})();
`;

export function dashboardHtml(options: DashboardOptions, nonce: string): string {
  const escape = (text: string): string =>
    text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crypto-forecast: local dashboard</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-state="loading">
<header>
<h1>crypto-forecast</h1>
<p>Hourly close forecasts from the local stack. <span id="status">Loading…</span></p>
${options.note === undefined ? '' : `<p class="muted">${escape(options.note)}</p>`}
</header>
<main id="pairs"></main>
<footer>Local development only: this page carries the local API key, written into it by the local server.
Skill is 1 − model MAE / naive MAE on the model's test windows; below 0 the model does worse than no forecast.</footer>
<script nonce="${nonce}">window.DASHBOARD = ${scriptJson({ apiKey: options.apiKey })};</script>
<script nonce="${nonce}" src="${CHART_LIBRARY_URL}"></script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra = {},
): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  response.end(body);
}

/** The dashboard's two GET paths, for the adapter's `pages`; anything else is left to the API. */
export function dashboardPages(options: DashboardOptions): PageHandler {
  let library: Promise<Buffer> | undefined;
  return async ({ method, path }, response) => {
    if (method !== 'GET') return false;
    if (path === '/' || path === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      send(response, 200, 'text/html; charset=utf-8', dashboardHtml(options, nonce), {
        'Cache-Control': 'no-store',
        // Only this page's own scripts, and requests to this server: the key must not leave it. Inline
        // styles are allowed because the chart library sets style attributes on the elements it makes.
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`,
      });
      return true;
    }
    if (path === CHART_LIBRARY_URL) {
      library ??= readFile(chartLibraryPath());
      send(response, 200, 'text/javascript; charset=utf-8', await library, {
        'Cache-Control': 'max-age=3600',
      });
      return true;
    }
    return false;
  };
}
