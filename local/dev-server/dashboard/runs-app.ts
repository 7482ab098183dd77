/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The runs page's script (/runs), in the browser: the recorded training runs from GET /runs, newest first,
 * published, refused or failed with the reason; two of them (A and B, chosen in the table) drawn as
 * learning curves on one chart and compared side by side, figures and the settings that differ. Bundled
 * by esbuild with its DOM-free neighbours (charts, plot, point-words, data-label) and core/runs/compare.
 */
import {
  compareRuns,
  formatFigure,
  outcomeReason,
  outcomeWords,
  type RunComparison,
} from '../../../core/runs/compare.js';
import type { ModelsResponse } from '../../../functions/schemas/models.js';
import type { RunsResponse } from '../../../functions/schemas/runs.js';
import { learningChart } from './charts.js';
import { GENERATED_LABEL, isGeneratedSource } from './data-label.js';
import { append, chartFrame, el, get, messageOf, pairQuery, svg, utc, tableHead } from './page-kit.js';
import { TIE_SKILL, skillText } from './point-words.js';

type Run = RunsResponse['runs'][number];

const main = document.getElementById('page') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const params = new URLSearchParams(window.location.search);

/** Colours of run A and run B; training loss solid, validation loss dashed. */
const RUN_COLORS: Readonly<Record<string, string>> = { A: '#2563eb', B: '#ea580c' };

function generated(run: Run): boolean {
  return window.DASHBOARD.generated === true || (run.data !== null && isGeneratedSource(run.data.source));
}

function sourceWords(run: Run): string {
  if (run.data === null) return '-';
  if (generated(run)) return 'generated';
  return run.data.source.kind === 'file' ? 'file' : run.data.source.exchange;
}

function pointCell(run: Run): HTMLElement {
  const skill = run.figures.test.point?.skill;
  if (skill === undefined) return el('td', { text: '-' });
  if (skill === null) return el('td', { text: 'undefined' });
  // A tie with "no change" is the expected result one hour ahead: said plainly, never in red.
  const tie = Math.abs(skill) < TIE_SKILL;
  return el('td', {
    class: tie ? 'tie' : skill < 0 ? 'down' : 'up',
    text: tie ? `tie (${skillText(skill)})` : skillText(skill),
  });
}

function percent(fraction: number | undefined): string {
  if (fraction === undefined) return '-';
  return `${fraction < 0 ? '\u2212' : '+'}${Math.abs(100 * fraction).toFixed(1)}%`;
}

function runsTable(
  runs: readonly Run[],
  chosen: { a: string; b: string },
  onChoose: () => void,
): HTMLElement {
  const radio = (name: 'a' | 'b', run: Run): HTMLElement => {
    const input = el('input', {
      type: 'radio',
      name: `run-${name}`,
      value: run.run_id,
      'aria-label': `${name.toUpperCase()}: run ${run.run_id}`,
    }) as HTMLInputElement;
    input.checked = chosen[name] === run.run_id;
    input.disabled = run.training === null;
    input.addEventListener('change', () => {
      chosen[name] = run.run_id;
      onChoose();
    });
    return el('td', { class: 'pick' }, [input]);
  };
  const header = [
    'A',
    'B',
    'Run',
    'Pair',
    'Outcome',
    'Data',
    'Epochs',
    'Test MAE',
    'Naive MAE',
    'Point skill',
  ];
  return el('table', { class: 'runs' }, [
    tableHead([...header, 'CRPS skill vs EWMA', '90% coverage']),
    el(
      'tbody',
      {},
      runs.map((run) => {
        const point = run.figures.test.point;
        const dist = run.figures.test.distribution;
        const reason = outcomeReason(run);
        return el('tr', { 'data-run': run.run_id, 'data-outcome': run.outcome.status }, [
          radio('a', run),
          radio('b', run),
          el('td', { class: 'mono', text: run.run_id, title: `started ${utc(run.started_at)}` }),
          el('td', { text: run.subject }),
          el('td', { class: `outcome ${run.outcome.status}` }, [
            el('span', { text: outcomeWords(run) }),
            reason === null ? null : el('div', { class: 'muted reason', text: reason }),
          ]),
          el('td', { text: sourceWords(run) }),
          el('td', { text: run.training === null ? '-' : String(run.training.epochs.length) }),
          el('td', { text: point === null ? '-' : point.mae.toFixed(2) }),
          el('td', { text: point === null ? '-' : point.naive_mae.toFixed(2) }),
          pointCell(run),
          el('td', { text: percent(dist?.crps_skill) }),
          el('td', { text: dist === null ? '-' : `${dist.model.coverage_pct.i90.toFixed(1)}%` }),
        ]);
      }),
    ),
  ]);
}

function curves(a: Run, b: Run | null): HTMLElement {
  const picked = [
    { run: 'A', record: a },
    ...(b === null || b.run_id === a.run_id ? [] : [{ run: 'B', record: b }]),
  ].filter((p) => p.record.training !== null);
  const chart = learningChart(
    picked.map(({ run, record }) => ({
      run,
      epochs: record.training?.epochs ?? [],
      bestEpoch: record.training?.best_epoch ?? 0,
    })),
  );
  const plot = chartFrame(chart, 'Learning curves: training and validation loss by epoch');
  for (const line of chart.lines) {
    plot.appendChild(
      svg('polyline', {
        class: `curve ${line.kind}`,
        'data-run': line.run,
        'data-kind': line.kind,
        points: line.points,
        fill: 'none',
        stroke: RUN_COLORS[line.run] ?? '#334155',
        'stroke-width': '2',
        ...(line.kind === 'val' ? { 'stroke-dasharray': '6 4' } : {}),
      }),
    );
  }
  for (const best of chart.best) {
    plot.appendChild(
      svg('circle', {
        class: 'best',
        'data-run': best.run,
        cx: chart.x.scale(best.epoch).toFixed(1),
        cy: chart.y.scale(best.loss).toFixed(1),
        r: '5',
        fill: RUN_COLORS[best.run] ?? '#334155',
      }),
    );
  }
  const loss = picked[0]?.record.training?.loss ?? 'loss';
  const legend = picked
    .map(({ run, record }) => `${run} = ${record.run_id} (${record.subject}, ${outcomeWords(record)})`)
    .join('; ');
  return el('div', { class: 'card', id: 'curves' }, [
    el('h2', { text: 'Learning curves' }),
    el('div', { class: 'plot-box' }, [plot]),
    el('p', {
      class: 'muted legend',
      text: `${legend}. Solid: training loss; dashed: validation loss; dot: the best epoch, whose weights were kept. Loss: ${loss}.`,
    }),
  ]);
}

function comparisonView(comparison: RunComparison): HTMLElement {
  const { a, b } = comparison;
  const favoured = (row: RunComparison['figures'][number], side: 'a' | 'b'): string =>
    row.favours === side ? 'better' : '';
  return el('div', { class: 'card', id: 'comparison' }, [
    el('h2', { text: `Comparison: A ${a.run_id} with B ${b.run_id}` }),
    el('table', { class: 'compare figures' }, [
      tableHead(['Figure', 'A', 'B']),
      el(
        'tbody',
        {},
        comparison.figures.map((row) =>
          el('tr', { 'data-figure': row.spec.key }, [
            el('td', { text: row.spec.label }),
            el('td', { class: favoured(row, 'a'), text: formatFigure(row.spec, row.a) }),
            el('td', { class: favoured(row, 'b'), text: formatFigure(row.spec, row.b) }),
          ]),
        ),
      ),
    ]),
    el('h3', {
      text:
        comparison.differing.length === 0
          ? `Settings: all ${comparison.same} the same`
          : `Settings that differ (${comparison.differing.length}; ${comparison.same} the same)`,
    }),
    comparison.differing.length === 0
      ? null
      : el('table', { class: 'compare settings' }, [
          tableHead(['Setting', 'A', 'B']),
          el(
            'tbody',
            {},
            comparison.differing.map((row) =>
              el('tr', { 'data-setting': row.key }, [
                el('td', { class: 'mono', text: row.key }),
                el('td', { class: 'mono', text: row.a ?? '(none)' }),
                el('td', { class: 'mono', text: row.b ?? '(none)' }),
              ]),
            ),
          ),
        ]),
    el('p', {
      class: 'muted',
      text: 'Green: the better figure of the two, where lower or higher is better. Held-out figures are on each run\u2019s own test windows.',
    }),
  ]);
}

/** The defaults: B the newest run with a learning curve, A the one before it of the same subject (or any). */
function defaultChoice(runs: readonly Run[]): { a: string; b: string } {
  const trained = runs.filter((run) => run.training !== null);
  const b = trained.find((run) => run.run_id === params.get('b')) ?? trained[0];
  const a =
    trained.find((run) => run.run_id === params.get('a')) ??
    trained.find((run) => run !== b && run.subject === b?.subject) ??
    trained.find((run) => run !== b) ??
    b;
  return { a: a?.run_id ?? '', b: b?.run_id ?? '' };
}

async function show(subject: string, pairs: readonly string[]): Promise<void> {
  document.body.setAttribute('data-state', 'loading');
  main.replaceChildren();
  const query = subject === '' ? '' : `&${pairQuery(subject)}`;
  const { runs, unreadable } = await get<RunsResponse>(`/runs?last=20${query}`);
  const select = el('select', { id: 'subject', 'aria-label': 'Pair' }) as HTMLSelectElement;
  for (const option of ['', ...pairs]) {
    const node = el('option', {
      value: option,
      text: option === '' ? 'every pair' : option,
    }) as HTMLOptionElement;
    node.selected = option === subject;
    select.appendChild(node);
  }
  select.addEventListener('change', () => {
    void show(select.value, pairs).catch(fail);
  });
  const chosen = defaultChoice(runs);
  const views = el('div', { class: 'views' });
  const draw = (): void => {
    const a = runs.find((run) => run.run_id === chosen.a);
    const b = runs.find((run) => run.run_id === chosen.b) ?? null;
    views.replaceChildren();
    if (a === undefined) {
      views.appendChild(el('p', { class: 'muted', text: 'No run with a learning curve to draw yet.' }));
      return;
    }
    views.appendChild(curves(a, b));
    if (b !== null && b.run_id !== a.run_id) views.appendChild(comparisonView(compareRuns(a, b)));
  };
  const anyGenerated = runs.some(generated);
  append(
    main,
    anyGenerated ? el('p', { class: 'generated', text: GENERATED_LABEL }) : null,
    el('div', { class: 'card' }, [
      el('h2', { text: 'Runs' }),
      el('p', {}, [
        el('label', { text: 'Pair ' }, [select]),
        el('span', {
          class: 'muted',
          text: ` ${runs.length} newest, published, refused or failed. Choose A and B to compare; a point skill near 0 is a tie with "no change", the expected result one hour ahead.`,
        }),
      ]),
      runs.length === 0
        ? el('p', { class: 'muted', text: 'No training run is recorded yet.' })
        : runsTable(runs, chosen, draw),
      unreadable.length === 0
        ? null
        : el('p', {
            class: 'error',
            text: `Unreadable records: ${unreadable.map((u) => `${u.run_id} (${u.reason})`).join(', ')}`,
          }),
    ]),
    views,
  );
  draw();
  status.textContent = `${runs.length} runs${subject === '' ? '' : ` of ${subject}`}, read ${new Date().toISOString().slice(11, 16)} UTC`;
  document.body.setAttribute('data-state', 'ready');
}

function fail(error: unknown): void {
  status.textContent = `Could not read the runs: ${messageOf(error)}`;
  document.body.setAttribute('data-state', 'error');
}

async function start(): Promise<void> {
  const models = await get<ModelsResponse>('/models');
  const pairs = [...models.models.map((m) => m.pair), ...models.unavailable.map((u) => u.pair)];
  await show(params.get('pair') ?? '', pairs);
}

start().catch(fail);
