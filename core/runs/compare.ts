import type { RunRecord as StoredRunRecord } from './run-record.js';

/**
 * Two runs side by side, as `npm run runs -- --compare` prints them and the dashboard's runs page shows
 * them: every setting that differs (and how many agree), and the figures in one table. Pure; the
 * renderers only format.
 */

/**
 * A run's record as a comparison reads it: the stored record, or the API's answer, whose settings are a
 * plain JSON object.
 */
export type RunRecord = Omit<StoredRunRecord, 'settings'> & {
  readonly settings: Readonly<Record<string, unknown>>;
};

/** A figure of a run: a number (with how to show it), a word, or null where the run did not reach it. */
export type FigureValue = number | string | null;

export interface FigureSpec {
  readonly key: string;
  readonly label: string;
  /** Decimals to show a number with. */
  readonly digits: number;
  /** 'lower' or 'higher' when one is better; null when neither is (a count, a time, a word). */
  readonly better: 'lower' | 'higher' | null;
  read(record: RunRecord): FigureValue;
}

const point = (r: RunRecord) => r.figures.test.point;
const dist = (r: RunRecord) => r.figures.test.distribution;

/** The outcome in a few words: `published`, `published, not served`, `refused (promotion)`, `failed`. */
export function outcomeWords(record: RunRecord): string {
  const { outcome } = record;
  if (outcome.status === 'published') return outcome.promoted ? 'published' : 'published, not served';
  return outcome.status === 'refused' ? `refused (${outcome.gate} gate)` : 'failed';
}

/** Why a run was refused or failed, or why a published one is not served; null for a served run. */
export function outcomeReason(record: RunRecord): string | null {
  const { outcome } = record;
  if (outcome.status === 'published') return outcome.not_promoted_because;
  return outcome.reason;
}

/** The figures a comparison shows, in order. */
export const RUN_FIGURES: readonly FigureSpec[] = [
  { key: 'outcome', label: 'outcome', digits: 0, better: null, read: outcomeWords },
  { key: 'duration', label: 'duration (s)', digits: 1, better: null, read: (r) => r.duration_seconds },
  { key: 'candles', label: 'candles', digits: 0, better: null, read: (r) => r.data?.candles ?? null },
  {
    key: 'test_windows',
    label: 'held-out windows',
    digits: 0,
    better: null,
    read: (r) => r.data?.windows.test ?? null,
  },
  {
    key: 'epochs',
    label: 'epochs run',
    digits: 0,
    better: null,
    read: (r) => r.training?.epochs.length ?? null,
  },
  {
    key: 'best_epoch',
    label: 'best epoch',
    digits: 0,
    better: null,
    read: (r) => r.training?.best_epoch ?? null,
  },
  {
    key: 'val_loss',
    label: 'validation loss',
    digits: 6,
    better: 'lower',
    read: (r) => r.figures.validation.loss,
  },
  { key: 'test_loss', label: 'test loss', digits: 6, better: 'lower', read: (r) => r.figures.test.loss },
  { key: 'mae', label: 'test MAE', digits: 2, better: 'lower', read: (r) => point(r)?.mae ?? null },
  {
    key: 'naive_mae',
    label: 'naive MAE (no change)',
    digits: 2,
    better: null,
    read: (r) => point(r)?.naive_mae ?? null,
  },
  {
    key: 'skill',
    label: 'skill vs no change',
    digits: 4,
    better: 'higher',
    read: (r) => point(r)?.skill ?? null,
  },
  {
    key: 'direction',
    label: 'direction right',
    digits: 3,
    better: 'higher',
    read: (r) => point(r)?.direction_accuracy ?? null,
  },
  {
    key: 'scale',
    label: 'scale served',
    digits: 0,
    better: null,
    read: (r) => r.scale_choice?.served ?? dist(r)?.scale ?? null,
  },
  {
    key: 'crps',
    label: 'CRPS (bp)',
    digits: 3,
    better: 'lower',
    read: (r) => dist(r)?.model.crps_bp ?? null,
  },
  {
    key: 'b0_crps',
    label: 'B0 CRPS (bp)',
    digits: 3,
    better: null,
    read: (r) => dist(r)?.b0.crps_bp ?? null,
  },
  {
    key: 'b1_crps',
    label: 'B1 CRPS (bp)',
    digits: 3,
    better: null,
    read: (r) => dist(r)?.b1.crps_bp ?? null,
  },
  {
    key: 'crps_skill',
    label: 'CRPS skill vs B1',
    digits: 4,
    better: 'higher',
    read: (r) => dist(r)?.crps_skill ?? null,
  },
  {
    key: 'coverage_90',
    label: '90% coverage (%)',
    digits: 1,
    better: null,
    read: (r) => dist(r)?.model.coverage_pct.i90 ?? null,
  },
  {
    key: 'coverage_95',
    label: '95% coverage (%)',
    digits: 1,
    better: null,
    read: (r) => dist(r)?.model.coverage_pct.i95 ?? null,
  },
  {
    key: 'b1_coverage_90',
    label: 'B1 90% coverage (%)',
    digits: 1,
    better: null,
    read: (r) => dist(r)?.b1.coverage_pct.i90 ?? null,
  },
  {
    key: 'backend',
    label: 'backend',
    digits: 0,
    better: null,
    read: (r) => `${r.machine.backend.name} (${r.machine.cpus} CPUs)`,
  },
];

/** A figure as text: its digits for a number, `-` where the run has none. */
export function formatFigure(spec: FigureSpec, value: FigureValue): string {
  if (value === null) return '-';
  return typeof value === 'number' ? value.toFixed(spec.digits) : value;
}

/** Settings as dotted keys and their JSON values: `training.learning_rate` -> `0.003`. */
export function flattenSettings(settings: Readonly<Record<string, unknown>>): Map<string, string> {
  const flat = new Map<string, string>();
  const walk = (value: unknown, path: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) flat.set(path, '{}');
      for (const [key, inner] of entries) walk(inner, path === '' ? key : `${path}.${key}`);
      return;
    }
    flat.set(path, JSON.stringify(value));
  };
  walk(settings, '');
  return new Map([...flat].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface SettingRow {
  readonly key: string;
  /** The JSON value, or null where the run has no such setting. */
  readonly a: string | null;
  readonly b: string | null;
}

export interface FigureRow {
  readonly spec: FigureSpec;
  readonly a: FigureValue;
  readonly b: FigureValue;
  /** Which run the figure favours, when one is better and both have it. */
  readonly favours: 'a' | 'b' | null;
}

export interface RunComparison {
  readonly a: RunRecord;
  readonly b: RunRecord;
  /** Settings that differ, sorted by key. */
  readonly differing: readonly SettingRow[];
  /** How many settings the two runs share with the same value. */
  readonly same: number;
  readonly figures: readonly FigureRow[];
}

export function compareRuns(a: RunRecord, b: RunRecord): RunComparison {
  const left = flattenSettings(a.settings);
  const right = flattenSettings(b.settings);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  const differing: SettingRow[] = [];
  let same = 0;
  for (const key of keys) {
    const va = left.get(key) ?? null;
    const vb = right.get(key) ?? null;
    if (va === vb) same += 1;
    else differing.push({ key, a: va, b: vb });
  }
  const figures = RUN_FIGURES.map((spec): FigureRow => {
    const va = spec.read(a);
    const vb = spec.read(b);
    let favours: FigureRow['favours'] = null;
    if (spec.better !== null && typeof va === 'number' && typeof vb === 'number' && va !== vb) {
      favours = va < vb === (spec.better === 'lower') ? 'a' : 'b';
    }
    return { spec, a: va, b: vb, favours };
  });
  return { a, b, differing, same, figures };
}
