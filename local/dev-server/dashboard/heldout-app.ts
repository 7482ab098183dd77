/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The held-out page's script (/heldout), in the browser: a run's held-out hours from GET /heldout, drawn
 * as a fan (each hour's 95% interval, 90% and 50% bands and median, as the served distribution gave them
 * from the window before), the closes that followed as a line, every close outside the 95% interval
 * marked, and the coverage in words. Bundled by esbuild with its DOM-free neighbours.
 */
import { coverageWords } from '../../../core/runs/heldout-coverage.js';
import { outcomeWords } from '../../../core/runs/compare.js';
import type { HeldOutResponse } from '../../../functions/schemas/heldout.js';
import type { ModelsResponse } from '../../../functions/schemas/models.js';
import type { RunsResponse } from '../../../functions/schemas/runs.js';
import { FAN_COLORS, fanChart, priceLabel } from './charts.js';
import { GENERATED_LABEL, isGeneratedSource } from './data-label.js';
import { append, chartFrame, el, get, messageOf, pairQuery, svg, utc, tableHead } from './page-kit.js';

type Run = RunsResponse['runs'][number];

const main = document.getElementById('page') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const params = new URLSearchParams(window.location.search);

const BAND_NAMES = {
  i95: '95% interval',
  i90: '90% band (5% to 95%)',
  i50: '50% band (25% to 75%)',
} as const;

function fan(answer: HeldOutResponse): SVGElement {
  const chart = fanChart(answer.hours);
  const plot = chartFrame(chart, `${answer.pair} held-out hours: served bands and the closes that followed`);
  for (const band of chart.bands) {
    plot.appendChild(
      svg('polygon', { class: `band ${band.name}`, points: band.points, fill: FAN_COLORS[band.name] }),
    );
  }
  plot.appendChild(
    svg('polyline', {
      class: 'median',
      points: chart.median,
      fill: 'none',
      stroke: FAN_COLORS.median,
      'stroke-width': '1',
    }),
  );
  plot.appendChild(
    svg('polyline', {
      class: 'closes',
      points: chart.closes,
      fill: 'none',
      stroke: FAN_COLORS.close,
      'stroke-width': '1.5',
    }),
  );
  for (const miss of chart.outside) {
    plot.appendChild(
      svg(
        'circle',
        {
          class: 'miss',
          'data-open-time': miss.openTime,
          cx: miss.x.toFixed(1),
          cy: miss.y.toFixed(1),
          r: '4.5',
          fill: 'none',
          stroke: FAN_COLORS.miss,
          'stroke-width': '2',
        },
        [svg('title', { text: `${utc(miss.openTime)}: close ${miss.close}, outside the 95% interval` })],
      ),
    );
  }
  return plot;
}

function legend(): HTMLElement {
  const swatch = (color: string, text: string, line = false): HTMLElement =>
    el('span', { class: 'swatch' }, [
      el('i', { style: line ? `border-top: 2px solid ${color}` : `background: ${color}` }),
      document.createTextNode(text),
    ]);
  return el('p', { class: 'legend-row' }, [
    swatch(FAN_COLORS.i95, BAND_NAMES.i95),
    swatch(FAN_COLORS.i90, BAND_NAMES.i90),
    swatch(FAN_COLORS.i50, BAND_NAMES.i50),
    swatch(FAN_COLORS.median, 'median', true),
    swatch(FAN_COLORS.close, 'the close that followed', true),
    el('span', { class: 'swatch' }, [
      el('i', { class: 'ring' }),
      document.createTextNode('a close outside the 95% interval'),
    ]),
  ]);
}

function missesTable(answer: HeldOutResponse, quote: string): HTMLElement | null {
  const missed = new Set(answer.coverage.outside_i95);
  const hours = answer.hours.filter((hour) => missed.has(hour.open_time));
  if (hours.length === 0) return null;
  const span = Math.max(...hours.map((h) => h.i95.upper)) - Math.min(...hours.map((h) => h.i95.lower));
  const price = (value: number): string => priceLabel(value, span / 10);
  return el('details', {}, [
    el('summary', { text: `The ${hours.length} marked hours` }),
    el('table', { class: 'misses' }, [
      tableHead(['Hour', `Close (${quote})`, '95% interval']),
      el(
        'tbody',
        {},
        hours.map((hour) =>
          el('tr', { 'data-open-time': hour.open_time }, [
            el('td', { text: utc(hour.open_time) }),
            el('td', { text: price(hour.close) }),
            el('td', { text: `${price(hour.i95.lower)} to ${price(hour.i95.upper)}` }),
          ]),
        ),
      ),
    ]),
  ]);
}

function picker(
  id: string,
  label: string,
  options: readonly [string, string][],
  value: string,
  onChange: (v: string) => void,
): HTMLElement {
  const select = el('select', { id, 'aria-label': label }) as HTMLSelectElement;
  for (const [optionValue, text] of options) {
    const node = el('option', { value: optionValue, text }) as HTMLOptionElement;
    node.selected = optionValue === value;
    select.appendChild(node);
  }
  select.addEventListener('change', () => onChange(select.value));
  return el('label', { text: `${label} ` }, [select]);
}

async function show(pair: string, runId: string | null, pairs: readonly string[]): Promise<void> {
  document.body.setAttribute('data-state', 'loading');
  main.replaceChildren();
  const { runs } = await get<RunsResponse>(`/runs?${pairQuery(pair)}&last=20`);
  const kept = runs.filter((run) => run.heldout_hours !== null);
  const run: Run | undefined = kept.find((r) => r.run_id === runId) ?? kept[0];
  const reload = (nextPair: string, nextRun: string | null): void => {
    void show(nextPair, nextRun, pairs).catch(fail);
  };
  const controls = el('p', { class: 'controls' }, [
    picker(
      'pair',
      'Pair',
      pairs.map((p) => [p, p]),
      pair,
      (p) => reload(p, null),
    ),
    document.createTextNode(' '),
    picker(
      'run',
      'Run',
      kept.map((r) => [r.run_id, `${r.run_id} (${outcomeWords(r)})`]),
      run?.run_id ?? '',
      (r) => reload(pair, r),
    ),
  ]);
  if (run === undefined) {
    append(
      main,
      el('div', { class: 'card' }, [
        controls,
        el('p', { class: 'muted', text: `No run of ${pair} has kept its held-out hours yet.` }),
      ]),
    );
    status.textContent = `${pair}: nothing to draw`;
    document.body.setAttribute('data-state', 'ready');
    return;
  }
  const last = params.get('last') ?? '500';
  const answer = await get<HeldOutResponse>(
    `/heldout?${pairQuery(pair)}&run=${encodeURIComponent(run.run_id)}&last=${encodeURIComponent(last)}`,
  );
  const quote = pair.split('/')[1] ?? '';
  const generated =
    window.DASHBOARD.generated === true || (run.data !== null && isGeneratedSource(run.data.source));
  const first = answer.hours[0]?.open_time ?? '';
  const lastHour = answer.hours.at(-1)?.open_time ?? '';
  const shown =
    answer.hours.length === answer.total_hours
      ? `all ${answer.total_hours} held-out hours`
      : `the last ${answer.hours.length} of ${answer.total_hours} held-out hours`;
  append(
    main,
    generated ? el('p', { class: 'generated', text: GENERATED_LABEL }) : null,
    el('div', { class: 'card', id: 'fan', 'data-pair': pair, 'data-run': run.run_id }, [
      controls,
      el('h2', { text: `${pair}: what was served, and what happened` }),
      el('p', {
        class: 'muted',
        text:
          `Run ${run.run_id} (${outcomeWords(run)}), ${shown}, ${utc(first)} to ${utc(lastHour)}. ` +
          `Each hour\u2019s bands are what the served distribution (${answer.family.name === 'student_t' ? `Student-t, nu ${answer.family.nu}` : 'Gaussian'}${answer.calibrated ? ', calibrated' : ''}) ` +
          'gave from the window before it; these hours took no part in any fit, calibration or choice.',
      }),
      el('div', { class: 'plot-box' }, [fan(answer)]),
      legend(),
      el('p', { class: 'coverage verdict', text: coverageWords(answer.coverage) }),
      missesTable(answer, quote),
    ]),
  );
  status.textContent = `${pair}, run ${run.run_id}`;
  document.body.setAttribute('data-state', 'ready');
}

function fail(error: unknown): void {
  status.textContent = `Could not draw the held-out hours: ${messageOf(error)}`;
  document.body.setAttribute('data-state', 'error');
}

async function start(): Promise<void> {
  const models = await get<ModelsResponse>('/models');
  const pairs = [...models.models.map((m) => m.pair), ...models.unavailable.map((u) => u.pair)];
  const pair = params.get('pair') ?? pairs[0];
  if (pair === undefined) {
    status.textContent = 'No pair is served yet.';
    document.body.setAttribute('data-state', 'ready');
    return;
  }
  await show(pair, params.get('run'), pairs);
}

start().catch(fail);
