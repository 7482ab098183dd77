/**
 * Run records as `npm run runs` prints them: a list, one run in full, two side by side. Pure text from
 * records; the figures and the comparison come from core/runs/compare.ts, which the dashboard's runs page
 * shows too, so the terminal and the page agree.
 */
import { describeDataSource } from '../../core/metrics/data-source.js';
import type { RunListing } from '../../adapters/storage/run-records.js';
import {
  RUN_FIGURES,
  compareRuns,
  flattenSettings,
  formatFigure,
  outcomeReason,
  outcomeWords,
  type FigureValue,
} from '../../core/runs/compare.js';
import type { RunRecord } from '../../core/runs/run-record.js';

/** `2026-12-06 10:14 UTC` from an ISO time. */
function utc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** A signed percent with one decimal: +1.2%, −0.7%. */
function percent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined) return '-';
  const text = Math.abs(100 * fraction).toFixed(1);
  return `${fraction < 0 && text !== '0.0' ? '-' : '+'}${text}%`;
}

/**
 * Rows of cells as columns padded to their widest cell: the first `left` columns aligned left (names,
 * words), the others right (figures).
 */
export function table(rows: readonly (readonly string[])[], indent = '', left = 1): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      (
        indent +
        row
          .map((cell, i) => (i < left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
          .join('  ')
      ).trimEnd(),
    )
    .join('\n');
}

/** The point forecast's skill against "no change", signed: at one hour a value near 0 (a tie) is expected. */
function pointSkill(record: RunRecord): string {
  const skill = record.figures.test.point?.skill;
  if (skill === null || skill === undefined) return '-';
  return `${skill < 0 ? '-' : '+'}${Math.abs(skill).toFixed(3)}`;
}

/** The newest runs, one line each, with the reason under a refused or failed one. */
export function renderList(listing: RunListing, scope: string): string {
  const { records, unreadable } = listing;
  if (records.length === 0 && unreadable.length === 0) {
    return `No training runs recorded${scope}.`;
  }
  const header = [
    'RUN',
    'SUBJECT',
    'OUTCOME',
    'EPOCHS',
    'VAL LOSS',
    'TEST MAE',
    'NAIVE MAE',
    'POINT SKILL',
    'CRPS SKILL',
    '90% COVER',
    'SECONDS',
  ];
  const lines: string[] = [];
  const rows = records.map((r) => {
    const point = r.figures.test.point;
    const dist = r.figures.test.distribution;
    return [
      r.run_id,
      r.subject,
      outcomeWords(r),
      r.training === null ? '-' : String(r.training.epochs.length),
      r.figures.validation.loss === null ? '-' : r.figures.validation.loss.toFixed(6),
      point === null ? '-' : point.mae.toFixed(2),
      point === null ? '-' : point.naive_mae.toFixed(2),
      pointSkill(r),
      percent(dist?.crps_skill),
      dist === null ? '-' : `${dist.model.coverage_pct.i90.toFixed(1)}%`,
      r.duration_seconds.toFixed(1),
    ];
  });
  const rendered = table([header, ...rows], '', 3).split('\n');
  lines.push(rendered[0] ?? '');
  records.forEach((record, i) => {
    lines.push(rendered[i + 1] ?? '');
    const reason = outcomeReason(record);
    if (reason !== null) lines.push(`    why: ${oneLine(reason)}`);
  });
  for (const run of unreadable) lines.push(`${run.runId}  unreadable: ${oneLine(run.reason)}`);
  const count = `${records.length} run${records.length === 1 ? '' : 's'}`;
  return (
    `${count}${scope}, newest first.\n` +
    'Point skill: 1 - MAE / naive MAE, where near 0 (a tie with "no change") is the expected result one hour ahead. ' +
    'CRPS skill: the range forecast against the EWMA volatility estimate (B1), on the same held-out hours.\n\n' +
    lines.join('\n')
  );
}

/** A message of several lines on one: `Invalid x:\n  - a\n  - b` as `Invalid x: - a; - b`. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ')
    .replace(/ - /g, '; ')
    .replace(/:;/g, ':');
}

function figureRows(record: RunRecord): string[][] {
  return RUN_FIGURES.map((spec) => [spec.label, formatFigure(spec, spec.read(record))]);
}

/** One run in full: where and how it ran, its learning curve, its figures and its settings. */
export function renderRun(record: RunRecord): string {
  const lines: string[] = [];
  const published = record.version === null ? '' : ` (version ${record.version})`;
  lines.push(`Run ${record.run_id} of ${record.subject}: ${outcomeWords(record)}${published}`);
  const reason = outcomeReason(record);
  if (reason !== null) lines.push(`  why       ${reason.split('\n').join('\n            ')}`);
  lines.push(`  started   ${utc(record.started_at)}, took ${record.duration_seconds.toFixed(1)} s`);
  const { data, machine } = record;
  if (data !== null) {
    lines.push(
      `  data      ${data.candles} candles, ${utc(data.first_open_time)} to ${utc(data.last_open_time)}, ` +
        `from ${describeDataSource(data.source)} (${data.filled_candles} filled)`,
    );
    lines.push(
      `  windows   train ${data.windows.train}, validation ${data.windows.val}, held out ${data.windows.test}`,
    );
  }
  lines.push(
    `  machine   ${machine.backend.name} (${machine.backend.provider}), ${machine.cpus} CPUs ${machine.cpu_model}, ` +
      `${machine.memory_mb} MB, ${machine.platform} ${machine.arch}, node ${machine.node}` +
      (machine.batch_job === null ? '' : `, Batch job ${machine.batch_job}`),
  );
  if (record.scale_choice !== undefined) {
    lines.push(`  scale     ${record.scale_choice.served}: ${record.scale_choice.reason}`);
  }
  if (record.heldout_hours !== null) lines.push(`  held out  ${record.heldout_hours} hours kept`);
  if (record.training !== null) {
    const { training } = record;
    lines.push(
      '',
      `Learning curve (${training.loss}; * best epoch${training.stopped_early ? ', stopped early' : ''}):`,
    );
    lines.push(
      table(
        [
          ['epoch', 'train loss', 'val loss', 'seconds'],
          ...training.epochs.map((e) => [
            `${e.epoch}${e.epoch === training.best_epoch ? ' *' : ''}`,
            e.train_loss.toFixed(6),
            e.val_loss.toFixed(6),
            e.seconds.toFixed(1),
          ]),
        ],
        '  ',
      ),
    );
  }
  lines.push('', 'Figures (held-out windows unless named):', table(figureRows(record), '  '));
  const settings = [...flattenSettings(record.settings)];
  lines.push('', `Settings (${settings.length}):`, table(settings, '  ', 2));
  return lines.join('\n');
}

/** A figure in a comparison: starred when it is the better one, else padded as if it were, to line up. */
function cell(value: FigureValue, text: string, favoured: boolean): string {
  if (value === null) return '-  ';
  return favoured ? `${text} *` : `${text}  `;
}

/** Two runs side by side: every figure (the better one starred), then the settings that differ. */
export function renderComparison(a: RunRecord, b: RunRecord): string {
  const comparison = compareRuns(a, b);
  const lines: string[] = [
    `Comparing A ${a.run_id} (${a.subject}, ${outcomeWords(a)}) with B ${b.run_id} (${b.subject}, ${outcomeWords(b)})`,
    '',
    'Figures (* the better one, where one is better):',
    table(
      [
        ['', 'A', 'B'],
        ...comparison.figures.map((row) => [
          row.spec.label,
          cell(row.a, formatFigure(row.spec, row.a), row.favours === 'a'),
          cell(row.b, formatFigure(row.spec, row.b), row.favours === 'b'),
        ]),
      ],
      '  ',
    ),
    '',
  ];
  if (comparison.differing.length === 0) {
    lines.push(`Settings: all ${comparison.same} the same.`);
  } else {
    lines.push(
      `Settings that differ (${comparison.differing.length}; ${comparison.same} the same):`,
      table(
        [
          ['', 'A', 'B'],
          ...comparison.differing.map((row) => [row.key, row.a ?? '(none)', row.b ?? '(none)']),
        ],
        '  ',
        3,
      ),
    );
  }
  return lines.join('\n');
}
