/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard's script, in the browser: lists the models, then draws each pair's window of candles
 * with the predicted close and the band the next close should land in, the change, the range in words,
 * the model's test error beside the naive forecast's and its age. Bundled by esbuild when the local
 * stack serves it (dashboard.ts), with its DOM-free neighbours (format, range-words, forecast-band);
 * the chart library is the standalone build the same server serves, read from
 * window.LightweightCharts, so only its types are imported.
 */
import type { IChartApi, UTCTimestamp } from 'lightweight-charts';
import type { ModelsResponse } from '../../../functions/schemas/models.js';
import type { PredictResponse } from '../../../functions/schemas/predict.js';
import type { RunsResponse } from '../../../functions/schemas/runs.js';
import { GENERATED_LABEL, isGeneratedSource } from './data-label.js';
import { forecastBandView } from './forecast-band.js';
import { money } from './format.js';
import { pairQuery } from './page-kit.js';
import { TIE_SKILL, pointVerdict } from './point-words.js';
import { rangeWords } from './range-words.js';

type Metrics = NonNullable<PredictResponse['model']['metrics']>;
type Attributes = Readonly<Record<string, string>> & { readonly text?: string };

const config = window.DASHBOARD;
const LC = window.LightweightCharts;
const main = document.getElementById('pairs') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;

function el(tag: string, attrs: Attributes = {}, children: readonly (Node | null)[] = []): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null) node.appendChild(child);
  return node;
}

function signed(value: number, reference: number): string {
  return (value >= 0 ? '+' : '\u2212') + money(Math.abs(value), reference);
}

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function seconds(iso: string): UTCTimestamp {
  return Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;
}

function duration(s: number): string {
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return s < 172800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86400).toFixed(1)} days`;
}

function staleLabel(model: PredictResponse['model']): HTMLElement | null {
  if (!model.stale) return null;
  return el('p', {
    class: 'verdict bad stale',
    text: `Stale: trained ${duration(model.age_seconds)} ago, over the limit of ${duration(model.stale_after_seconds)}; training has not renewed it. It still answers.`,
  });
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { 'x-api-key': config.apiKey, accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { message?: string } } | null)?.error;
    throw new Error(error?.message ?? `HTTP ${response.status}`);
  }
  return body as T;
}

function verdict(metrics: Metrics): HTMLElement {
  // A tie with "no change" is the expected result one hour ahead: said plainly, not in red (point-words.ts).
  const { text, tone } = pointVerdict(metrics.skill, metrics.test_mae, metrics.naive_mae);
  return el('p', { class: tone === 'plain' ? 'verdict point' : `verdict point ${tone}`, text });
}

/**
 * Whether the pair's newest recorded run trained on generated candles (the local fake exchange), or the
 * server said so; false when no run is recorded or the runs cannot be read.
 */
async function generatedData(pair: string): Promise<boolean> {
  if (config.generated === true) return true;
  try {
    const { runs } = await get<RunsResponse>(`/runs?${pairQuery(pair)}&last=1`);
    const data = runs[0]?.data ?? null;
    return data !== null && isGeneratedSource(data.source);
  } catch {
    return false;
  }
}

/** A pair with no version of its own, served by another pair's shared network (borrowed_from). */
function borrowedNote(model: PredictResponse['model']): HTMLElement {
  const from = model.borrowed_from;
  const trainedOn = model.distribution.network?.trained_on.join(', ') ?? 'other pairs';
  return el('p', {
    class: 'verdict point borrowed',
    text:
      `No model of its own yet: the predicted close is the last close, and the range comes from the network ` +
      `trained on ${trainedOn}${from === null ? '' : ` (${from.pair}'s version)`}, calibrated on those pairs ` +
      'together, until this pair\u2019s first training run.',
  });
}

function metricsTable(metrics: Metrics, reference: number): HTMLElement {
  const rows = [
    ['This model', money(metrics.test_mae, reference)],
    ['Naive (next close = last close)', money(metrics.naive_mae, reference)],
  ] as const;
  const skill =
    metrics.skill === null
      ? 'undefined'
      : (metrics.skill < 0 ? '\u2212' : '') + Math.abs(metrics.skill).toFixed(3);
  const skillClass =
    metrics.skill === null || Math.abs(metrics.skill) < TIE_SKILL ? 'tie' : metrics.skill < 0 ? 'down' : 'up';
  return el('table', {}, [
    el('thead', {}, [el('tr', {}, [el('th', { text: 'Forecast' }), el('th', { text: 'Test MAE' })])]),
    el(
      'tbody',
      {},
      rows.map(([name, value]) => el('tr', {}, [el('td', { text: name }), el('td', { text: value })])),
    ),
    el('tfoot', {}, [
      el('tr', {}, [
        el('th', { text: 'Skill (1 \u2212 model / naive)' }),
        el('th', { class: skillClass, text: skill }),
      ]),
    ]),
  ]);
}

function drawChart(container: HTMLElement, answer: PredictResponse): IChartApi {
  const chart = LC.createChart(container, {
    autoSize: true,
    layout: { background: { color: '#ffffff' }, textColor: '#334155', attributionLogo: true },
    grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
    timeScale: { timeVisible: true, secondsVisible: false, rightOffset: 2 },
    rightPriceScale: { borderColor: '#e2e8f0' },
  });
  const candles = chart.addSeries(LC.CandlestickSeries, {
    upColor: '#16a34a',
    downColor: '#dc2626',
    borderVisible: false,
    wickUpColor: '#16a34a',
    wickDownColor: '#dc2626',
  });
  candles.setData(
    (answer.candles ?? []).map((c) => ({
      time: seconds(c.open_time),
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
    })),
  );
  const predicted = answer.prediction.close;
  // Added before the forecast line, so that the line and its marker are drawn over the band.
  const band = chart.addCustomSeries(forecastBandView(LC.customSeriesDefaultOptions), {
    lastValueVisible: false,
    priceLineVisible: false,
  });
  const { intervals, quantiles } = answer.distribution;
  band.setData([
    {
      time: seconds(answer.prediction.open_time),
      outer: intervals.i95,
      inner: intervals.i80,
      median: quantiles.p50,
    },
  ]);
  // A dashed segment from the last close to the predicted one, ending in a marker on the next hour.
  const forecast = chart.addSeries(LC.LineSeries, {
    color: '#7c3aed',
    lineWidth: 2,
    lineStyle: LC.LineStyle.Dashed,
    lastValueVisible: false,
    priceLineVisible: false,
    crosshairMarkerVisible: false,
  });
  const nextTime = seconds(answer.prediction.open_time);
  forecast.setData([
    { time: seconds(answer.last_candle.open_time), value: answer.last_candle.close },
    { time: nextTime, value: predicted },
  ]);
  LC.createSeriesMarkers(forecast, [
    { time: nextTime, position: 'atPriceMiddle', price: predicted, shape: 'circle', color: '#7c3aed' },
  ]);
  candles.createPriceLine({
    price: predicted,
    color: '#7c3aed',
    lineWidth: 1,
    lineStyle: LC.LineStyle.Dotted,
    axisLabelVisible: true,
    title: 'predicted',
  });
  chart.timeScale().fitContent();
  return chart;
}

function card(pair: string): HTMLElement {
  const node = el('section', { class: 'pair', 'data-pair': pair, 'data-state': 'loading' }, [
    el('h2', { text: pair }),
  ]);
  main.appendChild(node);
  return node;
}

function showError(node: HTMLElement, message: string): void {
  node.appendChild(el('p', { class: 'error', text: message }));
  node.setAttribute('data-state', 'error');
}

async function showPair(node: HTMLElement, pair: string): Promise<void> {
  const quote = pair.split('/')[1] ?? '';
  const answer = await get<PredictResponse>(`/predict?${pairQuery(pair)}&include=candles`);
  const last = answer.last_candle.close;
  const { change, model } = answer;
  const m = model.metrics;
  const words = rangeWords(answer, quote);
  const chartBox = el('div', {
    class: 'chart',
    'aria-label': `${pair} candles, predicted close and next hour's range`,
  });
  const lagHours = (Date.now() - Date.parse(answer.last_candle.close_time)) / 3600000;
  const percent = `${change.percent >= 0 ? '+' : '\u2212'}${Math.abs(change.percent).toFixed(2)}%`;
  const lag =
    lagHours > 2
      ? ` The candles end at ${utc(answer.last_candle.close_time)}, not in the last hour: the forecast is for the hour after them.`
      : '';
  node.appendChild(chartBox);
  node.appendChild(
    el('div', { class: 'side' }, [
      el('dl', {}, [
        el('dt', { text: 'Predicted close' }),
        el('dd', { class: 'big', text: money(answer.prediction.close, last) }),
        el('dt', { text: 'Change' }),
        el('dd', {
          class: change.absolute >= 0 ? 'up' : 'down',
          text: `${signed(change.absolute, last)} (${percent})`,
        }),
        el('dt', { text: 'For the candle' }),
        el('dd', {
          text: `${utc(answer.prediction.open_time)} \u2192 ${answer.prediction.close_time.slice(11, 16)}`,
        }),
        el('dt', { text: 'Last close' }),
        el('dd', { text: `${money(last)} at ${utc(answer.last_candle.close_time)}` }),
        ...(m === null
          ? []
          : [
              el('dt', { text: 'Direction right' }),
              el('dd', {
                text: `${(100 * m.direction_accuracy).toFixed(1)}% of ${m.test_windows} test windows`,
              }),
            ]),
        el('dt', { text: 'Model age' }),
        el(
          'dd',
          model.stale
            ? { class: 'down', text: `${duration(model.age_seconds)}, stale` }
            : { text: duration(model.age_seconds) },
        ),
      ]),
      staleLabel(model),
      ...(m === null ? [borrowedNote(model)] : [metricsTable(m, last), verdict(m)]),
      el('h3', { text: 'Next hour\u2019s range' }),
      el('p', { class: 'range', text: words.range }),
      el('p', { class: `verdict range-skill ${words.tone}`, text: words.skill }),
      el('p', { class: 'muted legend', text: words.legend }),
      el('p', {
        class: 'muted',
        text: `Model ${model.version}, trained ${utc(model.trained_at)}, window of ${model.sequence_length} candles.${lag}`,
      }),
    ]),
  );
  drawChart(chartBox, answer);
  if (await generatedData(pair)) {
    node.querySelector('h2')?.after(el('p', { class: 'generated', text: GENERATED_LABEL }));
  }
  node.setAttribute('data-state', 'ready');
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function start(): Promise<void> {
  let models: ModelsResponse;
  try {
    models = await get<ModelsResponse>('/models');
  } catch (error) {
    status.textContent = `Could not list the models: ${messageOf(error)}`;
    document.body.setAttribute('data-state', 'error');
    return;
  }
  const unavailable = new Map(models.unavailable.map((u) => [u.pair, u.error.message]));
  const pairs = [...models.models.map((m) => m.pair), ...unavailable.keys()];
  if (pairs.length === 0) {
    status.textContent = 'No model is published yet.';
    document.body.setAttribute('data-state', 'ready');
    return;
  }
  await Promise.all(
    pairs.map(async (pair) => {
      const node = card(pair);
      const problem = unavailable.get(pair);
      if (problem !== undefined) showError(node, problem);
      else await showPair(node, pair).catch((error: unknown) => showError(node, messageOf(error)));
    }),
  );
  const count = `${pairs.length} ${pairs.length === 1 ? 'pair' : 'pairs'}`;
  status.textContent = `${count}, updated ${new Date().toISOString().slice(11, 16)} UTC`;
  document.body.setAttribute('data-state', 'ready');
}

void start();
